#include "csv.h"
// being written
