// A program written against karga 0.1's header paths: it still compiles, warned.
#include <karga/aggregate.hpp>

int main() { return karga::basic_aggregate{}.started() == 0 ? 0 : 1; }
