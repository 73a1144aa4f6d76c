/*
 * bitsall.h: every BITS interface from 1.0 to 10.3 (our IDL, generated into build/include)
 * and every BITS code. Our headers use the system headers' include guards, so including this
 * first hides the system's partial copies (whose bits2_5.h includes "bits3_0.h" from its own
 * directory).
 */

#ifndef __BITSALL_H
#define __BITSALL_H

#include <windows.h>
#include <objbase.h>
#include "bits.h"
#include "bits1_5.h"
#include "bits2_0.h"
#include "bits2_5.h"
#include "bits3_0.h"
#include "bits4_0.h"
#include "bits5_0.h"
#include "bits10_1.h"
#include "bits10_2.h"
#include "bits10_3.h"
#include "bitserr.h"

#endif /* __BITSALL_H */
