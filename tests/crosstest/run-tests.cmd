@echo off
rem run-tests.cmd [x64] [x32]: runs every conformance program of this folder (both bitnesses
rem unless named), each with its output in %TEMP%\wine-bits-tests\<bits>-<name>.log, and prints
rem each one's summary line "<name>: N tests executed (T marked as todo, F failures), S skipped."
rem or says that it has none (it crashed or was stopped). The test servers' BITS_* variables
rem (README.txt) are passed on; without them the transfer tests are skipped.
rem
rem Copyright 2026 The wine-bits authors
rem
rem This library is free software; you can redistribute it and/or
rem modify it under the terms of the GNU Lesser General Public
rem License as published by the Free Software Foundation; either
rem version 2.1 of the License, or (at your option) any later version.
rem
rem This library is distributed in the hope that it will be useful,
rem but WITHOUT ANY WARRANTY; without even the implied warranty of
rem MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
rem Lesser General Public License for more details.
rem
rem You should have received a copy of the GNU Lesser General Public
rem License along with this library; if not, write to the Free Software
rem Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
setlocal EnableExtensions
set "HERE=%~dp0"
set "LOGS=%TEMP%\wine-bits-tests"
if not exist "%LOGS%" mkdir "%LOGS%"
set "ARCHES=%*"
if "%ARCHES%"=="" set "ARCHES=x64 x32"
echo Logs in %LOGS%
for %%a in (%ARCHES%) do call :arch %%a
exit /b 0

rem From inside the folder: Wine's cmd lists no quoted "<dir>\*.exe". The whole file name goes
rem to :run, which drops the extension there: Wine 10's cmd applies the name modifier of a for
rem variable wrongly to some names (transfer2.exe became a path), not that of a call argument.
:arch
if not exist "%HERE%%1\" exit /b 0
pushd "%HERE%%1"
for %%f in (*.exe) do call :run %1 "%%f"
popd
exit /b 0

:run
set "NAME=%~n2"
"%HERE%%1\%NAME%.exe" %NAME% >"%LOGS%\%1-%NAME%.log" 2>&1
set "RC=%ERRORLEVEL%"
set "LINE="
for /f "delims=" %%l in ('find "tests executed (" ^< "%LOGS%\%1-%NAME%.log"') do set "LINE=%%l"
rem Not in a ( ) block: the summary line has parentheses.
if not defined LINE goto :nosummary
echo %1\%LINE%
exit /b 0
:nosummary
echo %1\%NAME%: no summary line, exit code %RC%; see %LOGS%\%1-%NAME%.log
exit /b 0
