/*
 * callas.c: the client and server halves of the methods that qmgrprxy.idl sends in a form of
 * their own ([call_as]): IBackgroundCopyFile5::SetProperty and GetProperty, whose union is
 * carried as the plain string of its only arm with data (the HTTP response headers). The
 * client keeps the documented signature, and the service's object is called through its
 * vtable with the documented union.
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

#define COBJMACROS
#include <stdarg.h>
#include "windef.h"
#include "winbase.h"
#include "objbase.h"
#include "qmgrprxy.h"

/* Client side: only the headers arm has a value to send; for any other id the service
 * answers from the id alone, as it does for an arm without data. */
HRESULT CALLBACK IBackgroundCopyFile5_SetProperty_Proxy(IBackgroundCopyFile5 *This, BITS_FILE_PROPERTY_ID id,
                                                        BITS_FILE_PROPERTY_VALUE value)
{
    const WCHAR *string = id == BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS ? value.String : NULL;

    return IBackgroundCopyFile5_RemoteSetProperty_Proxy(This, id, string);
}

/* Server side: the union the object expects, with the string in its arm. */
HRESULT __RPC_STUB IBackgroundCopyFile5_SetProperty_Stub(IBackgroundCopyFile5 *This, BITS_FILE_PROPERTY_ID id,
                                                         const WCHAR *string)
{
    BITS_FILE_PROPERTY_VALUE value;

    memset(&value, 0, sizeof(value));
    if (id == BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS) value.String = (WCHAR *)string;
    return IBackgroundCopyFile5_SetProperty(This, id, value);
}

/* Client side: the string the service returned goes into the headers arm; for other ids the
 * union is left as it was, as NDR left an arm without data. A NULL union is refused as NDR
 * refused a NULL [ref] pointer, without calling the service. */
HRESULT CALLBACK IBackgroundCopyFile5_GetProperty_Proxy(IBackgroundCopyFile5 *This, BITS_FILE_PROPERTY_ID id,
                                                        BITS_FILE_PROPERTY_VALUE *value)
{
    WCHAR *string = NULL;
    HRESULT hr;

    if (!value) return HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER);
    hr = IBackgroundCopyFile5_RemoteGetProperty_Proxy(This, id, &string);
    if (id == BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS) value->String = string;
    else CoTaskMemFree(string);
    return hr;
}

/* Server side: the object fills a union of ours; its string (allocated for the client with
 * CoTaskMemAlloc) is what goes back, and NDR frees it after sending. */
HRESULT __RPC_STUB IBackgroundCopyFile5_GetProperty_Stub(IBackgroundCopyFile5 *This, BITS_FILE_PROPERTY_ID id,
                                                         LPWSTR *string)
{
    BITS_FILE_PROPERTY_VALUE value;
    HRESULT hr;

    memset(&value, 0, sizeof(value));
    hr = IBackgroundCopyFile5_GetProperty(This, id, &value);
    *string = id == BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS ? value.String : NULL;
    return hr;
}
