# rgeval_bench: the throughput suite behind `rgeval throughput` (throughput*.cpp) and the
# measurement helpers it shares with the benchmark programs (common.cpp: read bandwidth, peak RSS).
# Included from the top-level CMakeLists.txt unconditionally: the CLI links it, while the Google
# Benchmark programs in bench/CMakeLists.txt are optional.
add_library(rgeval_bench STATIC ${CMAKE_CURRENT_LIST_DIR}/throughput.cpp
            ${CMAKE_CURRENT_LIST_DIR}/throughput_db.cpp ${CMAKE_CURRENT_LIST_DIR}/common.cpp)
target_link_libraries(rgeval_bench PUBLIC rgeval_engine rgeval_store nlohmann_json::nlohmann_json
                      OpenMP::OpenMP_CXX)
