/*
 * error.c: IBackgroundCopyError, the error of a job in ERROR or TRANSIENT_ERROR.
 * Owns: the context, code, file and protocol of one failure; immutable once made.
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

#include "qmgr_private.h"

BITS_DEFAULT_DEBUG_CHANNEL(qmgr);

static inline struct bits_error *impl_from_IBackgroundCopyError(IBackgroundCopyError *iface)
{
    return CONTAINING_RECORD(iface, struct bits_error, IBackgroundCopyError_iface);
}

static HRESULT WINAPI error_QueryInterface(IBackgroundCopyError *iface, REFIID riid, void **obj)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);

    TRACE("(%p)->(%s %p)\n", error, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyError))
    {
        *obj = iface;
        IBackgroundCopyError_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI error_AddRef(IBackgroundCopyError *iface)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);
    return InterlockedIncrement(&error->refs);
}

static ULONG WINAPI error_Release(IBackgroundCopyError *iface)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);
    ULONG refs = InterlockedDecrement(&error->refs);

    if (!refs)
    {
        if (error->file) IBackgroundCopyFile_Release(file_iface(error->file));
        heap_free(error);
    }
    return refs;
}

static HRESULT WINAPI error_GetError(IBackgroundCopyError *iface, BG_ERROR_CONTEXT *context, HRESULT *code)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);

    TRACE("(%p)->(%p %p)\n", error, context, code);

    if (!context || !code) return E_INVALIDARG;
    *context = error->context;
    *code = error->code;
    return S_OK;
}

static HRESULT WINAPI error_GetFile(IBackgroundCopyError *iface, IBackgroundCopyFile **file)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);

    TRACE("(%p)->(%p)\n", error, file);

    if (!file) return E_INVALIDARG;
    if (!error->file)
    {
        *file = NULL;
        return BG_E_FILE_NOT_AVAILABLE;
    }
    *file = file_iface(error->file);
    IBackgroundCopyFile_AddRef(*file);
    return S_OK;
}

static HRESULT WINAPI error_GetErrorDescription(IBackgroundCopyError *iface, DWORD langid, LPWSTR *text)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);

    TRACE("(%p)->(%#lx %p)\n", error, langid, text);

    if (!text) return E_INVALIDARG;
    return errtext_describe(error->code, langid, text);
}

static HRESULT WINAPI error_GetErrorContextDescription(IBackgroundCopyError *iface, DWORD langid, LPWSTR *text)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);

    TRACE("(%p)->(%#lx %p)\n", error, langid, text);

    if (!text) return E_INVALIDARG;
    return errtext_context(error->context, langid, text);
}

static HRESULT WINAPI error_GetProtocol(IBackgroundCopyError *iface, LPWSTR *protocol)
{
    struct bits_error *error = impl_from_IBackgroundCopyError(iface);

    TRACE("(%p)->(%p)\n", error, protocol);

    if (!protocol) return E_INVALIDARG;
    if (!error->protocol)
    {
        *protocol = NULL;
        return BG_E_PROTOCOL_NOT_AVAILABLE;
    }
    return strdup_for_client(error->protocol, protocol);
}

static const IBackgroundCopyErrorVtbl error_vtbl =
{
    error_QueryInterface,
    error_AddRef,
    error_Release,
    error_GetError,
    error_GetFile,
    error_GetErrorDescription,
    error_GetErrorContextDescription,
    error_GetProtocol,
};

HRESULT error_create(BG_ERROR_CONTEXT context, HRESULT code, struct bits_file *file,
                     const WCHAR *protocol, struct bits_error **out)
{
    struct bits_error *error;

    if (!(error = heap_alloc_zero(sizeof(*error)))) return E_OUTOFMEMORY;
    error->IBackgroundCopyError_iface.lpVtbl = &error_vtbl;
    error->refs = 1;
    error->context = context;
    error->code = code;
    error->protocol = protocol;
    if ((error->file = file)) IBackgroundCopyFile_AddRef(file_iface(file));
    *out = error;
    return S_OK;
}
