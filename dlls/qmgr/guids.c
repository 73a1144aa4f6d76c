/*
 * guids.c: instantiates the IIDs and CLSIDs of every BITS header in one place.
 */

#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include "bitsall.h"

/* The AppID of the BITS service in svchost (wine-notes). */
DEFINE_GUID(APPID_BITS, 0x69ad4aee, 0x51be, 0x439b, 0xa9, 0x2c, 0x86, 0xae, 0x49, 0x0e, 0x8b, 0x30);
