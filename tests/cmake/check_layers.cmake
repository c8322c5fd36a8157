# Layering of include/hopfield/: the rooms (folders) and their order, lowest first, are data in
# one place, cmake/layers.txt. A header may include headers of its own room and of rooms listed
# before it, never of a room listed after it. Nested X/detail/ folders belong to room X, and the
# umbrella hopfield/hopfield.hpp is exempt.
#
# Check (the `layering` ctest):
#   cmake -DINCLUDE_DIR=include -DLAYERS_FILE=cmake/layers.txt -DDOC_FILE=docs/architecture.md
#         -P tests/cmake/check_layers.cmake
#   fails when a header includes a later room (or the umbrella, or an unlisted room), when a header
#   lives in a folder not listed in LAYERS_FILE, when a header includes a hopfield header by a path
#   the check cannot see (quoted, not "hopfield/..."), or when the table between
#   <!-- layers: begin --> and <!-- layers: end --> in DOC_FILE lists other rooms or another order.
#   DOC_FILE is optional; without it only the headers are checked.
#
# Regenerate the table in the doc from LAYERS_FILE (INCLUDE_DIR is not needed):
#   cmake -DLAYERS_FILE=cmake/layers.txt -DDOC_FILE=docs/architecture.md -DUPDATE_DOC=ON
#         -P tests/cmake/check_layers.cmake
#   (-D options written after the script are honoured too.)
cmake_policy(VERSION 3.20)

# `cmake -P script -DX=Y` leaves X unset (-D counts only before -P): read such options here.
set(_after_script FALSE)
math(EXPR _last_arg "${CMAKE_ARGC} - 1")
foreach(_i RANGE 1 ${_last_arg})
  set(_arg "${CMAKE_ARGV${_i}}")
  if(_after_script AND _arg MATCHES "^-D([A-Za-z_][A-Za-z0-9_]*)(:[A-Za-z]+)?=(.*)$")
    if(NOT DEFINED ${CMAKE_MATCH_1})
      set(${CMAKE_MATCH_1} "${CMAKE_MATCH_3}")
    endif()
  elseif(_arg STREQUAL "-P")
    set(_after_script TRUE)
  endif()
endforeach()

set(_begin_marker "<!-- layers: begin -->")
set(_end_marker "<!-- layers: end -->")

# _read_lines(<path> <out>): the file's lines as a CMake list, empty lines kept. Characters that
# would split or join list elements ( ; [ ] \ ) travel as control characters: _restore() brings
# them back.
string(ASCII 1 _semi)
string(ASCII 2 _open)
string(ASCII 3 _close)
string(ASCII 4 _backslash)
function(_read_lines path out)
  file(READ "${path}" text)
  string(REPLACE "\\" "${_backslash}" text "${text}")
  string(REPLACE ";" "${_semi}" text "${text}")
  string(REPLACE "[" "${_open}" text "${text}")
  string(REPLACE "]" "${_close}" text "${text}")
  string(REPLACE "\r" "" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
function(_restore var)
  set(text "${${var}}")
  string(REPLACE "${_backslash}" "\\" text "${text}")
  string(REPLACE "${_semi}" ";" text "${text}")
  string(REPLACE "${_open}" "[" text "${text}")
  string(REPLACE "${_close}" "]" text "${text}")
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

# ---- the order ------------------------------------------------------------------------------------
if(NOT LAYERS_FILE OR NOT EXISTS "${LAYERS_FILE}")
  message(FATAL_ERROR "check_layers: LAYERS_FILE='${LAYERS_FILE}' does not exist (cmake/layers.txt)")
endif()
_read_lines("${LAYERS_FILE}" _layer_lines)
set(_rooms)
set(_line_no 0)
foreach(_line IN LISTS _layer_lines)
  math(EXPR _line_no "${_line_no} + 1")
  _restore(_line)
  string(STRIP "${_line}" _line)
  if(_line STREQUAL "" OR _line MATCHES "^#")
    continue()
  endif()
  if(NOT _line MATCHES "^([a-z][a-z0-9_]*)/?[ \t]+([^ \t].*)$")
    message(FATAL_ERROR "${LAYERS_FILE}:${_line_no}: expected `room  short description` "
                        "(room: lower-case folder name), got: ${_line}")
  endif()
  set(_room "${CMAKE_MATCH_1}")
  set(_holds "${CMAKE_MATCH_2}")
  if(DEFINED _rank_${_room})
    message(FATAL_ERROR "${LAYERS_FILE}:${_line_no}: room '${_room}' is listed twice")
  endif()
  list(LENGTH _rooms _rank_${_room})
  string(REPLACE "|" "\\|" _holds_${_room} "${_holds}")  # a Markdown table cell
  list(APPEND _rooms "${_room}")
endforeach()
if(NOT _rooms)
  message(FATAL_ERROR "check_layers: ${LAYERS_FILE} lists no room")
endif()
list(JOIN _rooms " < " _order)
set(_order "${_order}  (lowest first, from ${LAYERS_FILE})")

# ---- the doc's table, generated from the order ---------------------------------------------------
set(_table "| room (lowest first) | holds |\n| --- | --- |\n")
foreach(_room IN LISTS _rooms)
  string(APPEND _table "| `${_room}/` | ${_holds_${_room}} |\n")
endforeach()
string(CONCAT _block "${_begin_marker}\n"
       "<!-- generated from cmake/layers.txt by tests/cmake/check_layers.cmake with -DUPDATE_DOC=ON: "
       "edit cmake/layers.txt, not this table -->\n"
       "${_table}${_end_marker}")

# _find_markers(<variable>): sets _begin/_end (offsets of the markers in the variable's text) or
# stops with a message. A function, not a macro: a macro would re-read the text's backslashes.
function(_find_markers variable)
  string(FIND "${${variable}}" "${_begin_marker}" begin)
  string(FIND "${${variable}}" "${_end_marker}" end)
  string(FIND "${${variable}}" "${_begin_marker}" begin_again REVERSE)
  string(FIND "${${variable}}" "${_end_marker}" end_again REVERSE)
  if(begin EQUAL -1 OR end LESS begin OR NOT begin EQUAL begin_again OR NOT end EQUAL end_again)
    message(FATAL_ERROR "${DOC_FILE}: expected one '${_begin_marker}' followed by one "
                        "'${_end_marker}' around the table of rooms")
  endif()
  set(_begin ${begin} PARENT_SCOPE)
  set(_end ${end} PARENT_SCOPE)
endfunction()

if(UPDATE_DOC)
  if(NOT DOC_FILE OR NOT EXISTS "${DOC_FILE}")
    message(FATAL_ERROR "check_layers: UPDATE_DOC needs DOC_FILE (docs/architecture.md), got '${DOC_FILE}'")
  endif()
  file(READ "${DOC_FILE}" _doc)
  _find_markers(_doc)
  string(LENGTH "${_end_marker}" _end_length)
  math(EXPR _after "${_end} + ${_end_length}")
  string(SUBSTRING "${_doc}" 0 ${_begin} _head)
  string(SUBSTRING "${_doc}" ${_after} -1 _tail)
  set(_new "${_head}${_block}${_tail}")
  if(_new STREQUAL _doc)
    message(STATUS "layering: ${DOC_FILE} already shows ${_order}")
  else()
    file(WRITE "${DOC_FILE}" "${_new}")
    message(STATUS "layering: rewrote the table in ${DOC_FILE}: ${_order}")
  endif()
  return()
endif()

# _problem(<text>...): one problem for the report; the parts are joined as they are.
set(_problems "")
set(_problem_count 0)
function(_problem)
  string(CONCAT text ${ARGV})
  math(EXPR count "${_problem_count} + 1")
  set(_problem_count ${count} PARENT_SCOPE)
  set(_problems "${_problems}\n  ${text}" PARENT_SCOPE)
endfunction()

if(DOC_FILE)
  if(NOT EXISTS "${DOC_FILE}")
    message(FATAL_ERROR "check_layers: DOC_FILE='${DOC_FILE}' does not exist")
  endif()
  file(READ "${DOC_FILE}" _doc)
  _find_markers(_doc)
  math(EXPR _inside_length "${_end} - ${_begin}")
  string(SUBSTRING "${_doc}" ${_begin} ${_inside_length} _inside)
  string(REPLACE "\r" "" _inside "${_inside}")
  string(REGEX MATCHALL "\n\\|[ \t]*`[a-z][a-z0-9_]*/?`" _cells "${_inside}")
  set(_doc_rooms)
  foreach(_cell IN LISTS _cells)
    string(REGEX REPLACE "^\n\\|[ \t]*`([a-z0-9_]+)/?`$" "\\1" _cell "${_cell}")
    list(APPEND _doc_rooms "${_cell}")
  endforeach()
  if(NOT _doc_rooms STREQUAL _rooms)
    list(JOIN _doc_rooms " < " _doc_order)
    _problem("${DOC_FILE}: the table between the layers markers shows ${_doc_order}, "
             "not the order in ${LAYERS_FILE}. Regenerate it with\n"
             "    cmake -DLAYERS_FILE=${LAYERS_FILE} -DDOC_FILE=${DOC_FILE} -DUPDATE_DOC=ON "
             "-P ${CMAKE_CURRENT_LIST_FILE}")
  endif()
endif()

# ---- the headers ---------------------------------------------------------------------------------
if(NOT INCLUDE_DIR OR NOT IS_DIRECTORY "${INCLUDE_DIR}/hopfield")
  message(FATAL_ERROR "check_layers: INCLUDE_DIR='${INCLUDE_DIR}' has no hopfield/ folder")
endif()
file(REAL_PATH "${INCLUDE_DIR}" INCLUDE_DIR)  # GLOB ... RELATIVE needs an absolute folder
set(_patterns)
foreach(_ext hpp h hh hxx ipp inl tpp)
  list(APPEND _patterns "${INCLUDE_DIR}/hopfield/*.${_ext}")
endforeach()
file(GLOB_RECURSE _headers RELATIVE "${INCLUDE_DIR}" ${_patterns})
list(SORT _headers)
set(_header_count 0)
set(_edge_count 0)
set(_seen_edges)
foreach(_header IN LISTS _headers)
  if(_header STREQUAL "hopfield/hopfield.hpp")
    continue()  # the umbrella includes every room
  endif()
  math(EXPR _header_count "${_header_count} + 1")
  set(_where "${INCLUDE_DIR}/${_header}")
  set(_room "")
  if(_header MATCHES "^hopfield/([^/]+)/")
    set(_room "${CMAKE_MATCH_1}")
  endif()
  if(_room STREQUAL "" OR NOT DEFINED _rank_${_room})
    _problem("${_where}: lives outside the listed rooms: add its folder to ${LAYERS_FILE} "
             "(one line, at its place in the order) or move it into a listed room")
    continue()
  endif()
  _read_lines("${_where}" _lines)
  set(_line_no 0)
  foreach(_line IN LISTS _lines)
    math(EXPR _line_no "${_line_no} + 1")
    if(NOT _line MATCHES "^[ \t]*#[ \t]*include[ \t]*([\"<])([^\">]*)[\">]")
      continue()
    endif()
    set(_quote "${CMAKE_MATCH_1}")
    set(_target "${CMAKE_MATCH_2}")
    _restore(_target)
    if(_target STREQUAL "hopfield/hopfield.hpp")
      _problem("${_where}:${_line_no}: room ${_room}/ includes the umbrella <hopfield/hopfield.hpp>, "
               "i.e. every room")
    elseif(_target MATCHES "^hopfield/([^/]+)/")
      set(_to "${CMAKE_MATCH_1}")
      math(EXPR _edge_count "${_edge_count} + 1")
      if(NOT DEFINED _rank_${_to})
        _problem("${_where}:${_line_no}: room ${_room}/ includes \"${_target}\" from ${_to}/, "
                 "a folder not listed in ${LAYERS_FILE}")
      elseif(_rank_${_to} GREATER _rank_${_room})
        _problem("${_where}:${_line_no}: room ${_room}/ includes \"${_target}\" from room ${_to}/, "
                 "which comes after ${_room}/ in the order")
      elseif(NOT _to STREQUAL _room)
        list(APPEND _seen_edges "${_room} -> ${_to}")
      endif()
    elseif(_quote STREQUAL "\"")
      _problem("${_where}:${_line_no}: includes \"${_target}\": include hopfield headers as "
               "\"hopfield/<room>/...\" so that the layering check sees them")
    endif()
  endforeach()
endforeach()

if(_problem_count GREATER 0)
  message(FATAL_ERROR
          "layering: ${_problem_count} problem(s):${_problems}\n"
          "  Order: ${_order}\n"
          "  A header may include its own room and rooms before it, never a room after it.")
endif()
list(REMOVE_DUPLICATES _seen_edges)
list(SORT _seen_edges)
list(JOIN _seen_edges ", " _edges)
message(STATUS "layering: ${_header_count} headers, ${_edge_count} hopfield includes, "
               "all follow ${_order}")
message(STATUS "layering: rooms included across folders: ${_edges}")
