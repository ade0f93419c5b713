/* bcryptprimitives.dll for Wine 8, which lacks it: Rust's std (>= 1.78) and Go (>= 1.22)
 * for Windows import ProcessPrng from it at load time, so without this DLL neither gox.exe
 * nor go.exe starts under Debian's Wine. ProcessPrng fills a buffer from the system RNG,
 * which Wine does provide through bcrypt.dll. Built by gox-testkit (wine.rs) with mingw-w64. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
