/*
 * errtext.c: message texts for HRESULTs and for BG_ERROR_CONTEXT values (spec 1.2, 1.4, 5.8).
 * Owns our English table of BITS (0x0020xxxx / 0x8020xxxx) and HTTP (0x80190000 + status) texts
 * and the fallback to the system message tables for every other code. Used by
 * IBackgroundCopyManager::GetErrorDescription and by IBackgroundCopyError's
 * GetErrorDescription / GetErrorContextDescription.
 *
 * Exported to the rest of qmgr (prototypes in qmgr_private.h):
 *
 *   HRESULT errtext_describe(HRESULT hr, DWORD langid, WCHAR **text);
 *   HRESULT errtext_context(BG_ERROR_CONTEXT context, DWORD langid, WCHAR **text);
 *
 * Both hand out a CoTaskMemAlloc'd string ending in "\r\n", like FormatMessage output; on
 * failure *text is NULL (unless text itself is NULL, which gives E_INVALIDARG).
 *
 * Language rules [decision, spec 1.2 documents only HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND)]:
 *  - LANG_NEUTRAL (0), LANG_USER_DEFAULT (0x400), LANG_SYSTEM_DEFAULT (0x800) and every langid
 *    whose primary language is LANG_ENGLISH (any sublanguage) select our English table.
 *  - Any other valid langid: BITS and HTTP codes and context texts fail with
 *    HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND), as we have no table for it; system codes
 *    are looked up by FormatMessageW in that language.
 *  - Invalid langids fail with HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND) for every code,
 *    without asking FormatMessageW: values above 0xffff, and LANG_NEUTRAL with a sublanguage
 *    other than SUBLANG_NEUTRAL, SUBLANG_DEFAULT and SUBLANG_SYS_DEFAULT (e.g. 0x0c00 or 0x1400,
 *    which are locale aliases and not resource language IDs).
 *  - For system codes with an English langid, FormatMessageW gets that langid; if the system has
 *    no message table in it, en-US is tried before giving up, so every English variant behaves
 *    alike. With LANG_NEUTRAL, FormatMessageW gets 0 and applies its own fallback order.
 *  - System codes the system has no text for (Wine 8: every WinHTTP error, E_PENDING and other
 *    COM codes) take ours from system_fallback_table, which is English only: with any other
 *    valid langid they fail with HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND).
 *  - A code nobody has text for gives a generic English "Unknown error 0x...." text and S_OK,
 *    since the method is meant to describe any HRESULT.
 */

#include <string.h>
#include <windows.h>
#include <objbase.h>
#include <bits.h>
#include "bitserr.h"

HRESULT errtext_describe(HRESULT hr, DWORD langid, WCHAR **text);
HRESULT errtext_context(BG_ERROR_CONTEXT context, DWORD langid, WCHAR **text);
#ifdef ERRTEXT_SELFTEST
BOOL errtext_selftest(void);
#endif

/* Codes newer than mingw-w64's bitsmsg.h; normally bitserr.h defines them (values: spec 5.8). */
#ifndef BG_S_OVERRIDDEN_BY_POLICY
#define BG_S_OVERRIDDEN_BY_POLICY _HRESULT_TYPEDEF_(0x00200055)
#endif
#ifndef BG_E_INVALID_HASH_ALGORITHM
#define BG_E_INVALID_HASH_ALGORITHM _HRESULT_TYPEDEF_(0x80200041)
#endif
#ifndef BG_E_RECORD_DELETED
#define BG_E_RECORD_DELETED _HRESULT_TYPEDEF_(0x80200042)
#endif
#ifndef BG_E_COMMIT_IN_PROGRESS
#define BG_E_COMMIT_IN_PROGRESS _HRESULT_TYPEDEF_(0x80200043)
#endif
#ifndef BG_E_DISCOVERY_IN_PROGRESS
#define BG_E_DISCOVERY_IN_PROGRESS _HRESULT_TYPEDEF_(0x80200044)
#endif
#ifndef BG_E_UPNP_ERROR
#define BG_E_UPNP_ERROR _HRESULT_TYPEDEF_(0x80200045)
#endif
#ifndef BG_E_TEST_OPTION_BLOCKED_DOWNLOAD
#define BG_E_TEST_OPTION_BLOCKED_DOWNLOAD _HRESULT_TYPEDEF_(0x80200046)
#endif
#ifndef BG_E_PEERCACHING_DISABLED
#define BG_E_PEERCACHING_DISABLED _HRESULT_TYPEDEF_(0x80200047)
#endif
#ifndef BG_E_BUSYCACHERECORD
#define BG_E_BUSYCACHERECORD _HRESULT_TYPEDEF_(0x80200048)
#endif
#ifndef BG_E_TOO_MANY_JOBS_PER_USER
#define BG_E_TOO_MANY_JOBS_PER_USER _HRESULT_TYPEDEF_(0x80200049)
#endif
#ifndef BG_E_TOO_MANY_JOBS_PER_MACHINE
#define BG_E_TOO_MANY_JOBS_PER_MACHINE _HRESULT_TYPEDEF_(0x80200050)
#endif
#ifndef BG_E_TOO_MANY_FILES_IN_JOB
#define BG_E_TOO_MANY_FILES_IN_JOB _HRESULT_TYPEDEF_(0x80200051)
#endif
#ifndef BG_E_TOO_MANY_RANGES_IN_FILE
#define BG_E_TOO_MANY_RANGES_IN_FILE _HRESULT_TYPEDEF_(0x80200052)
#endif
#ifndef BG_E_VALIDATION_FAILED
#define BG_E_VALIDATION_FAILED _HRESULT_TYPEDEF_(0x80200053)
#endif
#ifndef BG_E_MAXDOWNLOAD_TIMEOUT
#define BG_E_MAXDOWNLOAD_TIMEOUT _HRESULT_TYPEDEF_(0x80200054)
#endif
#ifndef BG_E_TOKEN_REQUIRED
#define BG_E_TOKEN_REQUIRED _HRESULT_TYPEDEF_(0x80200056)
#endif
#ifndef BG_E_UNKNOWN_PROPERTY_ID
#define BG_E_UNKNOWN_PROPERTY_ID _HRESULT_TYPEDEF_(0x80200057)
#endif
#ifndef BG_E_READ_ONLY_PROPERTY
#define BG_E_READ_ONLY_PROPERTY _HRESULT_TYPEDEF_(0x80200058)
#endif
#ifndef BG_E_BLOCKED_BY_COST_TRANSFER_POLICY
#define BG_E_BLOCKED_BY_COST_TRANSFER_POLICY _HRESULT_TYPEDEF_(0x80200059)
#endif
#ifndef BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY
#define BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY _HRESULT_TYPEDEF_(0x80200060)
#endif
#ifndef BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE
#define BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE _HRESULT_TYPEDEF_(0x80200061)
#endif
#ifndef BG_E_READ_ONLY_PROPERTY_AFTER_RESUME
#define BG_E_READ_ONLY_PROPERTY_AFTER_RESUME _HRESULT_TYPEDEF_(0x80200062)
#endif
#ifndef BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE
#define BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE _HRESULT_TYPEDEF_(0x80200063)
#endif
#ifndef BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED
#define BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED _HRESULT_TYPEDEF_(0x80200064)
#endif
#ifndef BG_E_STANDBY_MODE
#define BG_E_STANDBY_MODE _HRESULT_TYPEDEF_(0x80200065)
#endif
#ifndef BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED
#define BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED _HRESULT_TYPEDEF_(0x80200066)
#endif
#ifndef BG_E_BLOCKED_BY_BATTERY_POLICY
#define BG_E_BLOCKED_BY_BATTERY_POLICY _HRESULT_TYPEDEF_(0x80200067)
#endif
#ifndef BG_E_BLOCKED_BY_BATTERY_SAVER
#define BG_E_BLOCKED_BY_BATTERY_SAVER _HRESULT_TYPEDEF_(0x80200068)
#endif
#ifndef BG_E_WATCHDOG_TIMEOUT
#define BG_E_WATCHDOG_TIMEOUT _HRESULT_TYPEDEF_(0x80200069)
#endif
#ifndef BG_E_APP_PACKAGE_NOT_FOUND
#define BG_E_APP_PACKAGE_NOT_FOUND _HRESULT_TYPEDEF_(0x8020006A)
#endif
#ifndef BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED
#define BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED _HRESULT_TYPEDEF_(0x8020006B)
#endif
#ifndef BG_E_DATABASE_CORRUPT
#define BG_E_DATABASE_CORRUPT _HRESULT_TYPEDEF_(0x8020006C)
#endif
#ifndef BG_E_RANDOM_ACCESS_NOT_SUPPORTED
#define BG_E_RANDOM_ACCESS_NOT_SUPPORTED _HRESULT_TYPEDEF_(0x8020006D)
#endif
#ifndef BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY
#define BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY _HRESULT_TYPEDEF_(0x8020006E)
#endif
#ifndef BG_E_BLOCKED_BY_GAME_MODE
#define BG_E_BLOCKED_BY_GAME_MODE _HRESULT_TYPEDEF_(0x8020006F)
#endif
#ifndef BG_E_BLOCKED_BY_SYSTEM_POLICY
#define BG_E_BLOCKED_BY_SYSTEM_POLICY _HRESULT_TYPEDEF_(0x80200070)
#endif
#ifndef BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD
#define BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD _HRESULT_TYPEDEF_(0x80200071)
#endif
#ifndef BG_E_UNSUPPORTED_JOB_CONFIGURATION
#define BG_E_UNSUPPORTED_JOB_CONFIGURATION _HRESULT_TYPEDEF_(0x80200072)
#endif
#ifndef BG_E_REMOTE_FILE_CHANGED
#define BG_E_REMOTE_FILE_CHANGED _HRESULT_TYPEDEF_(0x80200073)
#endif
#ifndef BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED
#define BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED _HRESULT_TYPEDEF_(0x80200074)
#endif
#ifndef BG_E_READ_ONLY_WHEN_JOB_ACTIVE
#define BG_E_READ_ONLY_WHEN_JOB_ACTIVE _HRESULT_TYPEDEF_(0x80200075)
#endif
#ifndef BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK
#define BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK _HRESULT_TYPEDEF_(0x80200076)
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

#define HTTP_STATUS_BASE  0x80190000u
#define HTTP_STATUS_MIN   100
#define HTTP_STATUS_MAX   599

struct errtext_entry
{
    HRESULT code;
    const WCHAR *text;
};

/*
 * Our own English texts, written for this project (not taken from Windows or Wine). They have no
 * trailing line break; make_text() adds "\r\n".
 *
 * Sorted by code as an unsigned 32-bit value (success codes 0x0020xxxx first, then the HTTP
 * codes 0x8019xxxx, then the BITS errors 0x8020xxxx), for the binary search in search_table().
 * Keep it that way when adding codes; ERRTEXT_SELFTEST builds check the order.
 */
static const struct errtext_entry errtext_table[] =
{
    /* ---- BITS success codes ---- */
    { BG_S_ERROR_CONTEXT_NONE,
      L"No error has been recorded, so there is no error context." },
    { BG_S_PARTIAL_COMPLETE,
      L"Only the files that had finished transferring were committed; the job's other files were discarded." },
    { BG_S_UNABLE_TO_DELETE_FILES,
      L"The job has ended, but some of its temporary files could not be removed." },
    { BG_S_PROXY_CHANGED,
      L"The proxy configuration changed while the transfer was running." },
    { BG_S_OVERRIDDEN_BY_POLICY,
      L"The value was accepted, but a Group Policy setting takes precedence over it." },

    /* ---- HTTP status codes, 0x80190000 + status ---- */
    { BG_E_HTTP_ERROR_100,
      L"HTTP 100: the server asks the client to go on sending the request." },
    { BG_E_HTTP_ERROR_101,
      L"HTTP 101: the server is switching to the other protocol the client asked for." },
    { BG_E_HTTP_ERROR_200,
      L"HTTP 200: the server processed the request successfully." },
    { BG_E_HTTP_ERROR_201,
      L"HTTP 201: the server made a new resource in answer to the request." },
    { BG_E_HTTP_ERROR_202,
      L"HTTP 202: the server took the request in, but has not finished working on it." },
    { BG_E_HTTP_ERROR_203,
      L"HTTP 203: the headers sent back come from a copy of the resource, not from the origin server." },
    { BG_E_HTTP_ERROR_204,
      L"HTTP 204: the server handled the request and has nothing to send back." },
    { BG_E_HTTP_ERROR_205,
      L"HTTP 205: the request succeeded and the client should clear the form or view that sent it." },
    { BG_E_HTTP_ERROR_206,
      L"HTTP 206: the server sent back only the part of the resource that the range request named." },
    { BG_E_HTTP_ERROR_300,
      L"HTTP 300: the resource exists in several forms and the server did not pick one." },
    { BG_E_HTTP_ERROR_301,
      L"HTTP 301: the resource has been given a new permanent address." },
    { BG_E_HTTP_ERROR_302,
      L"HTTP 302: the resource can be reached at another address for the time being." },
    { BG_E_HTTP_ERROR_303,
      L"HTTP 303: the server points the client to another address for the result." },
    { BG_E_HTTP_ERROR_304,
      L"HTTP 304: the resource is unchanged since the copy the client already holds." },
    { BG_E_HTTP_ERROR_305,
      L"HTTP 305: the resource may only be fetched through the proxy that the server names." },
    { BG_E_HTTP_ERROR_307,
      L"HTTP 307: the resource is at another address for now; the request must be repeated there as it is." },
    { BG_E_HTTP_ERROR_400,
      L"HTTP 400: the server could not make sense of the request because it is malformed." },
    { BG_E_HTTP_ERROR_401,
      L"HTTP 401: the server wants the client to prove who it is before granting access." },
    { BG_E_HTTP_ERROR_402,
      L"HTTP 402: the server wants payment before granting access." },
    { BG_E_HTTP_ERROR_403,
      L"HTTP 403: the server refuses to give access to the resource." },
    { BG_E_HTTP_ERROR_404,
      L"HTTP 404: the server has nothing at the requested address." },
    { BG_E_HTTP_ERROR_405,
      L"HTTP 405: the server does not allow this request method on the resource." },
    { BG_E_HTTP_ERROR_406,
      L"HTTP 406: the server has no form of the resource that matches what the client says it accepts." },
    { BG_E_HTTP_ERROR_407,
      L"HTTP 407: the proxy server wants the client to prove who it is first." },
    { BG_E_HTTP_ERROR_408,
      L"HTTP 408: the server stopped waiting for the rest of the request." },
    { BG_E_HTTP_ERROR_409,
      L"HTTP 409: the request clashes with the present state of the resource on the server." },
    { BG_E_HTTP_ERROR_410,
      L"HTTP 410: the resource was taken off the server for good and no new address is known." },
    { BG_E_HTTP_ERROR_411,
      L"HTTP 411: the server will not take the request without a Content-Length header." },
    { BG_E_HTTP_ERROR_412,
      L"HTTP 412: a condition set in the request headers was not met on the server." },
    { BG_E_HTTP_ERROR_413,
      L"HTTP 413: the request body is bigger than the server is willing to handle." },
    { BG_E_HTTP_ERROR_414,
      L"HTTP 414: the requested address is longer than the server is willing to handle." },
    { BG_E_HTTP_ERROR_415,
      L"HTTP 415: the server does not handle the media type of the request body." },
    { BG_E_HTTP_ERROR_416,
      L"HTTP 416: the byte range asked for lies outside the resource." },
    { BG_E_HTTP_ERROR_417,
      L"HTTP 417: the server could not meet what the Expect header of the request asked for." },
    { BG_E_HTTP_ERROR_449,
      L"HTTP 449: the server wants the request sent again once the missing information is supplied." },
    { BG_E_HTTP_ERROR_500,
      L"HTTP 500: the server hit an unexpected problem and could not finish the request." },
    { BG_E_HTTP_ERROR_501,
      L"HTTP 501: the server lacks the support needed to carry out the request." },
    { BG_E_HTTP_ERROR_502,
      L"HTTP 502: a gateway or proxy got a bad answer from the server behind it." },
    { BG_E_HTTP_ERROR_503,
      L"HTTP 503: the server cannot take the request at the moment; it may be overloaded or under maintenance." },
    { BG_E_HTTP_ERROR_504,
      L"HTTP 504: a gateway or proxy gave up waiting for the server behind it." },
    { BG_E_HTTP_ERROR_505,
      L"HTTP 505: the server does not handle the HTTP version the request used." },

    /* ---- BITS error codes ---- */
    { BG_E_NOT_FOUND,
      L"No job matching the given identifier could be found in the queue." },
    { BG_E_INVALID_STATE,
      L"The job's current state does not allow this operation." },
    { BG_E_EMPTY,
      L"The job cannot run because no files have been added to it." },
    { BG_E_FILE_NOT_AVAILABLE,
      L"The error is not tied to any particular file of the job." },
    { BG_E_PROTOCOL_NOT_AVAILABLE,
      L"The error is not tied to a transfer protocol." },
    { BG_E_ERROR_CONTEXT_UNKNOWN,
      L"It is not known in which part of the transfer the error arose." },
    { BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER,
      L"The error arose in the job queue manager of the transfer service." },
    { BG_E_ERROR_CONTEXT_LOCAL_FILE,
      L"The error arose while working on the local file." },
    { BG_E_ERROR_CONTEXT_REMOTE_FILE,
      L"The error arose while working on the remote file." },
    { BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT,
      L"The error arose in the network transport layer." },
    { BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION,
      L"The error arose while the application was being told about the job's progress." },
    { BG_E_DESTINATION_LOCKED,
      L"The local volume or file is locked, for example by a disk check, so the transfer cannot write to it." },
    { BG_E_VOLUME_CHANGED,
      L"The disk that holds the local file is not the one the job started with; a removable disk may have been swapped." },
    { BG_E_ERROR_INFORMATION_UNAVAILABLE,
      L"There is no error information, because the job is not in an error state." },
    { BG_E_NETWORK_DISCONNECTED,
      L"No network connection is available; the job carries on once the network is back." },
    { BG_E_MISSING_FILE_SIZE,
      L"The server did not say how large the file is; dynamic content often has no fixed size." },
    { BG_E_INSUFFICIENT_HTTP_SUPPORT,
      L"The server lacks HTTP/1.1 features that the transfer depends on." },
    { BG_E_INSUFFICIENT_RANGE_SUPPORT,
      L"The server ignores or rejects byte-range requests, which the transfer depends on." },
    { BG_E_REMOTE_NOT_SUPPORTED,
      L"Using the transfer service from another computer is not supported." },
    { BG_E_NEW_OWNER_DIFF_MAPPING,
      L"A drive letter used by the job maps to a different place for the new owner than for the old one." },
    { BG_E_NEW_OWNER_NO_FILE_ACCESS,
      L"The account taking over the job cannot open one or more of the job's local files." },
    { BG_E_PROXY_LIST_TOO_LARGE,
      L"The list of proxy servers is longer than the limit." },
    { BG_E_PROXY_BYPASS_LIST_TOO_LARGE,
      L"The proxy bypass list is longer than the limit." },
    { BG_E_INVALID_SERVER_RESPONSE,
      L"The server sent back a reply that could not be understood." },
    { BG_E_TOO_MANY_FILES,
      L"An upload job can hold one file only." },
    { BG_E_LOCAL_FILE_CHANGED,
      L"The file being uploaded was modified after the transfer had begun." },
    { BG_E_ERROR_CONTEXT_REMOTE_APPLICATION,
      L"The error was reported by the server application that receives the upload." },
    { BG_E_SESSION_NOT_FOUND,
      L"The server no longer knows the upload session; it may have expired or been removed." },
    { BG_E_TOO_LARGE,
      L"The file is bigger than the server accepts for an upload." },
    { BG_E_STRING_TOO_LONG,
      L"A string argument is longer than the limit." },
    { BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH,
      L"Client and server share no common version of the upload protocol." },
    { BG_E_SERVER_EXECUTE_ENABLE,
      L"The server's upload directory lets scripts or programs run, so uploading into it is refused." },
    { BG_E_NO_PROGRESS,
      L"The job has stopped moving forward; the server may be set up incorrectly." },
    { BG_E_USERNAME_TOO_LARGE,
      L"The user name is longer than the limit." },
    { BG_E_PASSWORD_TOO_LARGE,
      L"The password is longer than the limit." },
    { BG_E_INVALID_AUTH_TARGET,
      L"The target given for the credentials (server or proxy) is not valid." },
    { BG_E_INVALID_AUTH_SCHEME,
      L"The authentication scheme given for the credentials is not valid." },
    { BG_E_FILE_NOT_FOUND,
      L"The file named by the remote name could not be found." },
    { BG_E_INVALID_RANGE,
      L"A byte range given for the file is malformed or lies outside the file." },
    { BG_E_OVERLAPPING_RANGES,
      L"Some of the byte ranges given for the file overlap each other." },
    { BG_E_CONNECT_FAILURE,
      L"No connection to the server could be set up." },
    { BG_E_CONNECTION_CLOSED,
      L"The connection to the server was closed before the exchange was over." },
    { BG_E_KEEP_ALIVE_FAILURE,
      L"A connection meant to stay open was closed by the server." },
    { BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED,
      L"A message from the server went over the size limit." },
    { BG_E_NAME_RESOLUTION_FAILURE,
      L"The server's host name could not be turned into an address." },
    { BG_E_PENDING,
      L"An internal asynchronous request has not completed yet." },
    { BG_E_PIPELINE_FAILURE,
      L"A pipelined request on the connection failed." },
    { BG_E_PROTOCOL_ERROR,
      L"A protocol-level error occurred while talking to the server." },
    { BG_E_PROXY_NAME_RESOLUTION_FAILURE,
      L"The proxy server's host name could not be turned into an address." },
    { BG_E_RECEIVE_FAILURE,
      L"Data could not be received from the server." },
    { BG_E_REQUEST_CANCELED,
      L"The request was cancelled before it finished." },
    { BG_E_SECURE_CHANNEL_FAILURE,
      L"A secure (TLS) connection to the server could not be set up." },
    { BG_E_SEND_FAILURE,
      L"Data could not be sent to the server." },
    { BG_E_SERVER_PROTOCOL_VIOLATION,
      L"The server's answer broke the rules of the HTTP protocol." },
    { BG_E_TIMEOUT,
      L"The server did not answer in time." },
    { BG_E_TRUST_FAILURE,
      L"The server's certificate could not be verified." },
    { BG_E_UNKNOWN_ERROR,
      L"An unidentified error occurred in the network transport." },
    { BG_E_BLOCKED_BY_POLICY,
      L"Group Policy does not allow this transfer or operation." },
    { BG_E_INVALID_PROXY_INFO,
      L"The job's proxy settings are not valid." },
    { BG_E_INVALID_CREDENTIALS,
      L"The credentials given for the job are not valid." },
    { BG_E_INVALID_HASH_ALGORITHM,
      L"The requested hash algorithm is not supported." },
    { BG_E_RECORD_DELETED,
      L"The peer cache record has been deleted." },
    { BG_E_COMMIT_IN_PROGRESS,
      L"The peer cache record is being committed and cannot be changed now." },
    { BG_E_DISCOVERY_IN_PROGRESS,
      L"A search for peers that hold the content is already running." },
    { BG_E_UPNP_ERROR,
      L"A UPnP operation needed for peer caching failed." },
    { BG_E_TEST_OPTION_BLOCKED_DOWNLOAD,
      L"A test setting of the transfer service held the download back." },
    { BG_E_PEERCACHING_DISABLED,
      L"Peer caching is turned off." },
    { BG_E_BUSYCACHERECORD,
      L"The peer cache record is in use and cannot be changed now." },
    { BG_E_TOO_MANY_JOBS_PER_USER,
      L"The user already owns as many jobs as policy allows." },
    { BG_E_TOO_MANY_JOBS_PER_MACHINE,
      L"The computer already holds as many jobs as policy allows." },
    { BG_E_TOO_MANY_FILES_IN_JOB,
      L"The job would hold more files than policy allows." },
    { BG_E_TOO_MANY_RANGES_IN_FILE,
      L"The file would have more byte ranges than policy allows." },
    { BG_E_VALIDATION_FAILED,
      L"The transferred content did not pass validation." },
    { BG_E_MAXDOWNLOAD_TIMEOUT,
      L"The job ran out of its allotted download time before it finished." },
    { BG_E_TOKEN_REQUIRED,
      L"This operation needs a token that has not been supplied." },
    { BG_E_UNKNOWN_PROPERTY_ID,
      L"The property identifier is not recognised." },
    { BG_E_READ_ONLY_PROPERTY,
      L"The property cannot be changed." },
    { BG_E_BLOCKED_BY_COST_TRANSFER_POLICY,
      L"The job's cost policy does not let it run on the current network." },
    { BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY,
      L"The property applies to download jobs only." },
    { BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE,
      L"The property can no longer be changed once files have been added to the job." },
    { BG_E_READ_ONLY_PROPERTY_AFTER_RESUME,
      L"The property can no longer be changed once the job has been resumed." },
    { BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE,
      L"The maximum download size given is not a valid value." },
    { BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED,
      L"The file is bigger than the maximum download size set for the job." },
    { BG_E_STANDBY_MODE,
      L"The transfer was paused because the computer is in connected standby." },
    { BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED,
      L"Stored credentials cannot be used with this authentication scheme or target." },
    { BG_E_BLOCKED_BY_BATTERY_POLICY,
      L"The power policy holds the transfer back while the computer runs on battery." },
    { BG_E_BLOCKED_BY_BATTERY_SAVER,
      L"The transfer is held back while battery saver is on." },
    { BG_E_WATCHDOG_TIMEOUT,
      L"An operation of the transfer service took too long and was stopped by its watchdog." },
    { BG_E_APP_PACKAGE_NOT_FOUND,
      L"The application package that owns the job could not be found." },
    { BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED,
      L"This operation is not supported for packaged applications." },
    { BG_E_DATABASE_CORRUPT,
      L"The job database of the transfer service is damaged." },
    { BG_E_RANDOM_ACCESS_NOT_SUPPORTED,
      L"The server cannot serve arbitrary parts of the file, which random access needs." },
    { BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY,
      L"The application's background access settings do not allow the transfer." },
    { BG_E_BLOCKED_BY_GAME_MODE,
      L"The transfer is held back while game mode is active." },
    { BG_E_BLOCKED_BY_SYSTEM_POLICY,
      L"A system policy does not allow the transfer at this time." },
    { BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD,
      L"The operation cannot be combined with a custom HTTP method." },
    { BG_E_UNSUPPORTED_JOB_CONFIGURATION,
      L"This combination of job settings is not supported." },
    { BG_E_REMOTE_FILE_CHANGED,
      L"The remote file changed after the transfer had begun." },
    { BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED,
      L"This setting needs a server certificate validation callback, and none is registered." },
    { BG_E_READ_ONLY_WHEN_JOB_ACTIVE,
      L"The property cannot be changed while the job is active." },
    { BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK,
      L"The error arose in the application's server certificate validation callback." },
};

/* A WinHTTP error (12001-12186) as the HRESULT that transfers report. */
#define WINHTTP_HR(code) ((HRESULT)(0x80070000u | (code)))

/* COM codes newer than mingw-w64's winerror.h. */
#ifndef E_BOUNDS
#define E_BOUNDS _HRESULT_TYPEDEF_(0x8000000B)
#endif
#ifndef E_CHANGED_STATE
#define E_CHANGED_STATE _HRESULT_TYPEDEF_(0x8000000C)
#endif
#ifndef E_ILLEGAL_STATE_CHANGE
#define E_ILLEGAL_STATE_CHANGE _HRESULT_TYPEDEF_(0x8000000D)
#endif
#ifndef E_ILLEGAL_METHOD_CALL
#define E_ILLEGAL_METHOD_CALL _HRESULT_TYPEDEF_(0x8000000E)
#endif

/*
 * Our own English texts for system codes that the transfer reports but for which Wine 8 has no
 * message text: winhttp.dll carries no message table, and the system tables lack several COM
 * codes. Used only when FormatMessageW finds nothing, so a system that has its own text keeps
 * it. Same rules as errtext_table: our words, no trailing line break, sorted by code as an
 * unsigned value.
 */
static const struct errtext_entry system_fallback_table[] =
{
    /* ---- common COM codes ---- */
    { E_PENDING,                 L"The data the operation needs is not available yet." },
    { E_BOUNDS,                  L"The operation went outside the bounds of the valid data." },
    { E_CHANGED_STATE,           L"The object changed state while the operation was under way." },
    { E_ILLEGAL_STATE_CHANGE,    L"The object cannot move to the requested state from its present one." },
    { E_ILLEGAL_METHOD_CALL,     L"The method cannot be called at this point." },
    { E_NOINTERFACE,             L"The object does not offer the requested interface." },
    { E_POINTER,                 L"A pointer argument is missing or not valid." },
    { E_ABORT,                   L"The operation was abandoned." },
    { E_UNEXPECTED,              L"Something went wrong that the program did not expect." },
    { RPC_E_SERVERFAULT,         L"The server ran into an exception while it handled the call." },
    { RPC_E_CHANGED_MODE,        L"COM is already set up on this thread with another threading model." },
    { RPC_E_DISCONNECTED,        L"The object is no longer connected to its server." },
    { RPC_E_WRONG_THREAD,        L"The interface was used from a thread that it does not belong to." },
    { CLASS_E_NOAGGREGATION,     L"Objects of this class cannot be aggregated." },
    { CLASS_E_CLASSNOTAVAILABLE, L"The class factory does not provide the requested class." },
    { REGDB_E_CLASSNOTREG,       L"The class is not registered on this computer." },
    { CO_E_NOTINITIALIZED,       L"COM has not been set up on this thread." },

    /* ---- WinHTTP errors, HRESULT_FROM_WIN32(12001..12186) ---- */
    { WINHTTP_HR(12001), L"The HTTP client has run out of handles." },
    { WINHTTP_HR(12002), L"The server did not answer within the time allowed." },
    { WINHTTP_HR(12004), L"The HTTP client hit an internal error." },
    { WINHTTP_HR(12005), L"The URL is malformed." },
    { WINHTTP_HR(12006), L"The URL names a protocol that the HTTP client does not handle." },
    { WINHTTP_HR(12007), L"The server's name could not be looked up." },
    { WINHTTP_HR(12009), L"The HTTP client was given an option it does not know." },
    { WINHTTP_HR(12011), L"This HTTP client option can only be read, not set." },
    { WINHTTP_HR(12012), L"The HTTP client is shutting down." },
    { WINHTTP_HR(12015), L"The server turned the login attempt down." },
    { WINHTTP_HR(12017), L"The operation was stopped because its handle was closed." },
    { WINHTTP_HR(12018), L"The HTTP client handle is of the wrong kind for this operation." },
    { WINHTTP_HR(12019), L"The HTTP client handle is in the wrong state for this operation." },
    { WINHTTP_HR(12029), L"No connection to the server could be made." },
    { WINHTTP_HR(12030), L"The connection to the server broke off before the exchange was over." },
    { WINHTTP_HR(12031), L"The server reset the connection." },
    { WINHTTP_HR(12032), L"The request has to be sent once more." },
    { WINHTTP_HR(12037), L"The server's certificate has expired or is not valid yet." },
    { WINHTTP_HR(12038), L"The server's certificate was issued for a different host name." },
    { WINHTTP_HR(12044), L"The server wants a client certificate before it goes on." },
    { WINHTTP_HR(12045), L"The server's certificate comes from an authority that is not trusted." },
    { WINHTTP_HR(12057), L"Whether the server's certificate has been revoked could not be checked." },
    { WINHTTP_HR(12100), L"This HTTP call is not allowed before the request is opened." },
    { WINHTTP_HR(12101), L"This HTTP call is not allowed before the request is sent." },
    { WINHTTP_HR(12102), L"This HTTP call is not allowed once the request has been sent." },
    { WINHTTP_HR(12103), L"This HTTP call is not allowed once the request is open." },
    { WINHTTP_HR(12150), L"The reply does not contain the requested header." },
    { WINHTTP_HR(12152), L"The server's reply could not be made sense of." },
    { WINHTTP_HR(12153), L"A header given for the request is malformed." },
    { WINHTTP_HR(12154), L"The header query is not valid." },
    { WINHTTP_HR(12155), L"The header is present already and was not replaced." },
    { WINHTTP_HR(12156), L"A redirection from the server could not be followed." },
    { WINHTTP_HR(12157), L"The secure channel to the server could not be set up." },
    { WINHTTP_HR(12166), L"The automatic proxy configuration script has an error in it." },
    { WINHTTP_HR(12167), L"The automatic proxy configuration script could not be fetched." },
    { WINHTTP_HR(12169), L"The server's certificate is not valid." },
    { WINHTTP_HR(12170), L"The server's certificate has been revoked." },
    { WINHTTP_HR(12172), L"The HTTP client has not been set up." },
    { WINHTTP_HR(12175), L"The server's certificate failed a security check." },
    { WINHTTP_HR(12176), L"The automatic proxy configuration script is of a kind that is not handled." },
    { WINHTTP_HR(12177), L"The automatic proxy configuration script failed while it ran." },
    { WINHTTP_HR(12178), L"The automatic proxy service could not be reached." },
    { WINHTTP_HR(12179), L"The server's certificate is not meant for this use." },
    { WINHTTP_HR(12180), L"No automatic proxy configuration could be found on the network." },
    { WINHTTP_HR(12181), L"The server sent more headers than allowed." },
    { WINHTTP_HR(12182), L"The server's headers are larger than allowed." },
    { WINHTTP_HR(12183), L"A chunk header in the server's reply is larger than allowed." },
    { WINHTTP_HR(12184), L"The rest of the reply is too large to be read and thrown away." },
    { WINHTTP_HR(12185), L"The client certificate has no private key." },
    { WINHTTP_HR(12186), L"The private key of the client certificate cannot be used by this account." },

    /* ---- COM activation ---- */
    { CO_E_SERVER_EXEC_FAILURE,  L"The server process for the class could not be started." },
};

/* The code whose text describes each BG_ERROR_CONTEXT value, indexed by the value. */
static const HRESULT context_codes[] =
{
    BG_S_ERROR_CONTEXT_NONE,                         /* BG_ERROR_CONTEXT_NONE */
    BG_E_ERROR_CONTEXT_UNKNOWN,                      /* BG_ERROR_CONTEXT_UNKNOWN */
    BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER,        /* BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER */
    BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION,   /* BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION */
    BG_E_ERROR_CONTEXT_LOCAL_FILE,                   /* BG_ERROR_CONTEXT_LOCAL_FILE */
    BG_E_ERROR_CONTEXT_REMOTE_FILE,                  /* BG_ERROR_CONTEXT_REMOTE_FILE */
    BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT,            /* BG_ERROR_CONTEXT_GENERAL_TRANSPORT */
    BG_E_ERROR_CONTEXT_REMOTE_APPLICATION,           /* BG_ERROR_CONTEXT_REMOTE_APPLICATION */
    BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK,  /* BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK (10.3) */
};

enum lang_kind
{
    LANG_KIND_OURS,     /* neutral, user/system default or English: our table */
    LANG_KIND_OTHER,    /* a valid language we have no table for */
    LANG_KIND_INVALID,  /* not a resource language ID at all */
};

static enum lang_kind classify_langid(DWORD langid)
{
    if (langid > 0xffff) return LANG_KIND_INVALID;
    if (PRIMARYLANGID(langid) == LANG_NEUTRAL)
    {
        switch (SUBLANGID(langid))
        {
        case SUBLANG_NEUTRAL:
        case SUBLANG_DEFAULT:
        case SUBLANG_SYS_DEFAULT:
            return LANG_KIND_OURS;
        default:
            return LANG_KIND_INVALID;
        }
    }
    if (PRIMARYLANGID(langid) == LANG_ENGLISH) return LANG_KIND_OURS;
    return LANG_KIND_OTHER;
}

/* Binary search of a table sorted by code as an unsigned value. */
static const WCHAR *search_table(const struct errtext_entry *table, size_t count, HRESULT code)
{
    size_t min = 0, max = count;

    while (min < max)
    {
        size_t pos = min + (max - min) / 2;
        ULONG value = (ULONG)table[pos].code;

        if (value == (ULONG)code) return table[pos].text;
        if (value < (ULONG)code) min = pos + 1;
        else max = pos;
    }
    return NULL;
}

static const WCHAR *find_text(HRESULT code)
{
    return search_table(errtext_table, ARRAY_SIZE(errtext_table), code);
}

static const WCHAR *find_system_fallback(HRESULT code)
{
    /* A bare Win32 error number is looked up as its HRESULT_FROM_WIN32 form. */
    if (code > 0 && code <= 0xffff) code = (HRESULT)(0x80070000u | (ULONG)code);
    return search_table(system_fallback_table, ARRAY_SIZE(system_fallback_table), code);
}

/* Hands out a CoTaskMemAlloc'd copy of the first len characters of body, followed by "\r\n". */
static HRESULT make_text(const WCHAR *body, size_t len, WCHAR **text)
{
    WCHAR *ret;

    if (!(ret = CoTaskMemAlloc((len + 3) * sizeof(WCHAR)))) return E_OUTOFMEMORY;
    memcpy(ret, body, len * sizeof(WCHAR));
    ret[len] = '\r';
    ret[len + 1] = '\n';
    ret[len + 2] = 0;
    *text = ret;
    return S_OK;
}

/* Appends src at *pos; the callers' buffers are sized for their longest result. */
static void append_str(WCHAR *buf, size_t *pos, const WCHAR *src)
{
    while (*src) buf[(*pos)++] = *src++;
    buf[*pos] = 0;
}

static void append_dec(WCHAR *buf, size_t *pos, unsigned int value)
{
    WCHAR digits[10];
    int count = 0;

    do digits[count++] = '0' + value % 10; while ((value /= 10));
    while (count) buf[(*pos)++] = digits[--count];
    buf[*pos] = 0;
}

static void append_hex8(WCHAR *buf, size_t *pos, ULONG value)
{
    int shift;

    for (shift = 28; shift >= 0; shift -= 4)
        buf[(*pos)++] = L"0123456789abcdef"[(value >> shift) & 0xf];
    buf[*pos] = 0;
}

/* Generic text for an HTTP status without an entry of its own. */
static HRESULT http_generic_text(unsigned int status, WCHAR **text)
{
    WCHAR buf[96];
    size_t pos = 0;

    append_str(buf, &pos, L"HTTP ");
    append_dec(buf, &pos, status);
    append_str(buf, &pos, L": the server answered with a status code that has no description of its own.");
    return make_text(buf, pos, text);
}

/* Last resort for a code nobody has text for. */
static HRESULT unknown_text(HRESULT hr, WCHAR **text)
{
    WCHAR buf[32];
    size_t pos = 0;

    append_str(buf, &pos, L"Unknown error 0x");
    append_hex8(buf, &pos, (ULONG)hr);
    append_str(buf, &pos, L".");
    return make_text(buf, pos, text);
}

/* One FormatMessageW attempt; returns a Win32 error code, ERROR_SUCCESS with *text set. */
static DWORD format_message(DWORD flags, HMODULE module, DWORD id, DWORD langid, WCHAR **text)
{
    WCHAR *buffer = NULL;
    DWORD len;
    HRESULT hr;

    len = FormatMessageW(flags | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS,
                         module, id, langid, (WCHAR *)&buffer, 0, NULL);
    if (!len)
    {
        DWORD err = GetLastError();
        if (buffer) LocalFree(buffer);
        return err ? err : ERROR_MR_MID_NOT_FOUND;
    }
    /* System texts usually end in "\r\n" already; normalise whatever trailing space they have. */
    while (len && (buffer[len - 1] == '\r' || buffer[len - 1] == '\n' ||
                   buffer[len - 1] == ' ' || buffer[len - 1] == '\t'))
        len--;
    hr = make_text(buffer, len, text);
    LocalFree(buffer);
    return SUCCEEDED(hr) ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
}

/* Text from the system message tables (and winhttp.dll's, for WinHTTP errors). */
static HRESULT system_text(HRESULT hr, DWORD langid, BOOL english, WCHAR **text)
{
    DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM, id = hr, err;
    HMODULE module = NULL, loaded = NULL;
    const WCHAR *fallback;

    /* HRESULT_FROM_WIN32 codes are looked up by their Win32 error number. */
    if (((ULONG)hr & 0xffff0000) == 0x80070000) id = HRESULT_CODE(hr);

    if (id >= 12000 && id <= 12999)
    {
        if (!(module = GetModuleHandleW(L"winhttp.dll")))
            module = loaded = LoadLibraryExW(L"winhttp.dll", NULL, LOAD_LIBRARY_AS_DATAFILE);
        if (module) flags |= FORMAT_MESSAGE_FROM_HMODULE;  /* the module first, then the system */
    }

    err = format_message(flags, module, id, langid, text);
    if (err == ERROR_RESOURCE_LANG_NOT_FOUND && PRIMARYLANGID(langid) == LANG_ENGLISH &&
        langid != MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US))
        err = format_message(flags, module, id, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), text);

    if (loaded) FreeLibrary(loaded);

    /* The system has no text: ours, if we have one, in English only (like the BITS table). */
    if (err != ERROR_SUCCESS && err != ERROR_NOT_ENOUGH_MEMORY && err != ERROR_OUTOFMEMORY
        && (fallback = find_system_fallback(hr)))
    {
        if (!english) return HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND);
        return make_text(fallback, lstrlenW(fallback), text);
    }

    switch (err)
    {
    case ERROR_SUCCESS:
        return S_OK;
    case ERROR_RESOURCE_LANG_NOT_FOUND:
        return HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND);
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return E_OUTOFMEMORY;
    default:
        return unknown_text(hr, text);
    }
}

HRESULT errtext_describe(HRESULT hr, DWORD langid, WCHAR **text)
{
    enum lang_kind kind = classify_langid(langid);
    ULONG value = (ULONG)hr;
    const WCHAR *found;
    BOOL ours;

    if (!text) return E_INVALIDARG;
    *text = NULL;

    if (kind == LANG_KIND_INVALID) return HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND);

    /* BITS facility codes and HTTP statuses are ours, whether or not the table has them. */
    ours = (value & 0xffff0000) == 0x00200000 || (value & 0xffff0000) == 0x80200000 ||
           (value >= HTTP_STATUS_BASE + HTTP_STATUS_MIN && value <= HTTP_STATUS_BASE + HTTP_STATUS_MAX);
    if (!ours) return system_text(hr, langid, kind == LANG_KIND_OURS, text);

    if (kind != LANG_KIND_OURS) return HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND);
    if ((found = find_text(hr))) return make_text(found, lstrlenW(found), text);
    if ((value & 0xffff0000) == HTTP_STATUS_BASE) return http_generic_text(value - HTTP_STATUS_BASE, text);
    return unknown_text(hr, text);
}

HRESULT errtext_context(BG_ERROR_CONTEXT context, DWORD langid, WCHAR **text)
{
    if (!text) return E_INVALIDARG;
    *text = NULL;

    if ((unsigned int)context >= ARRAY_SIZE(context_codes)) return E_INVALIDARG;
    return errtext_describe(context_codes[context], langid, text);
}

#ifdef ERRTEXT_SELFTEST
/* Debug builds only: the table must be strictly ascending (unsigned) and every text non-empty. */
BOOL errtext_selftest(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(errtext_table); i++)
    {
        if (!errtext_table[i].text || !errtext_table[i].text[0]) return FALSE;
        if (i && (ULONG)errtext_table[i - 1].code >= (ULONG)errtext_table[i].code) return FALSE;
        if (find_text(errtext_table[i].code) != errtext_table[i].text) return FALSE;
    }
    for (i = 0; i < ARRAY_SIZE(system_fallback_table); i++)
    {
        if (!system_fallback_table[i].text || !system_fallback_table[i].text[0]) return FALSE;
        if (i && (ULONG)system_fallback_table[i - 1].code >= (ULONG)system_fallback_table[i].code) return FALSE;
        if (find_system_fallback(system_fallback_table[i].code) != system_fallback_table[i].text) return FALSE;
    }
    for (i = 0; i < ARRAY_SIZE(context_codes); i++)
        if (!find_text(context_codes[i])) return FALSE;
    return TRUE;
}
#endif
