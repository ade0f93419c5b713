/* A Windows program that stays running: the stand-in for a long `go build` in tests that
 * need an executable in use. Writes "started" to the file named by argv[1] (when given),
 * sleeps argv[2] milliseconds (default 15000), then exits with the 32-bit code argv[3]
 * (default 0; e.g. 256, or 3221225786 = 0xC000013A as after Ctrl-C). */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

int main(int argc, char **argv) {
    if (argc > 1) {
        FILE *f = fopen(argv[1], "w");
        if (f) {
            fputs("started", f);
            fclose(f);
        }
    }
    Sleep(argc > 2 ? (DWORD)atoi(argv[2]) : 15000);
    ExitProcess(argc > 3 ? (UINT)strtoul(argv[3], NULL, 10) : 0);
}
