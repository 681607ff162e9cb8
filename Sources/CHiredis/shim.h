#ifndef BATCH_CHIREDIS_SHIM_H
#define BATCH_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
