#ifndef LIFELINE_CSQLITE_SHIM_H
#define LIFELINE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
