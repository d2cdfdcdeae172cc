# Makes COUNT private copies of Debian's static libsmpp34 (IN) in OUT_DIR: copy N is
# libsmpp34_N.a, every global symbol of it renamed to ussdgw_smpp34_N_<symbol> (definitions
# and the references between its objects alike), so that each copy has its own globals
# (the error buffer libsmpp34 writes on every call). See smpp/detail/LibSmpp34.hpp.
# Run as: cmake -DNM=... -DOBJCOPY=... -DIN=... -DOUT_DIR=... -DCOUNT=... -P Smpp34Copies.cmake
execute_process(COMMAND ${NM} -g --defined-only ${IN} OUTPUT_VARIABLE listing
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} could not list ${IN}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(symbols "")
foreach(line IN LISTS lines)
  if(line MATCHES "^[0-9a-fA-F]+ [A-Z] ([A-Za-z_][A-Za-z0-9_]*)$")
    list(APPEND symbols ${CMAKE_MATCH_1})
  endif()
endforeach()
list(REMOVE_DUPLICATES symbols)
list(LENGTH symbols found)
if(found LESS 10)
  message(FATAL_ERROR "${IN}: only ${found} global symbols found")
endif()
foreach(n RANGE 1 ${COUNT})
  set(map "")
  foreach(s IN LISTS symbols)
    string(APPEND map "${s} ussdgw_smpp34_${n}_${s}\n")
  endforeach()
  file(WRITE ${OUT_DIR}/libsmpp34_${n}.map "${map}")
  execute_process(COMMAND ${OBJCOPY} --redefine-syms=${OUT_DIR}/libsmpp34_${n}.map ${IN}
                          ${OUT_DIR}/libsmpp34_${n}.a RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${OBJCOPY} could not copy ${IN}")
  endif()
endforeach()
