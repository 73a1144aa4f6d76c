/*
 * bitsall.h: every BITS interface from 1.0 to 10.3 (our IDL, generated into build/include)
 * and every BITS code. Our headers use the system headers' include guards, so including this
 * first hides the system's partial copies (whose bits2_5.h includes "bits3_0.h" from its own
 * directory).
 *
 * Copyright 2026 The wine-bits authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
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
