#include "plan.h"
// being written
