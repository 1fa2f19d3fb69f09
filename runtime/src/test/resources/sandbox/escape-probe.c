/*
 * A hostile "UML kernel" for SandboxEscapeTest: tries to read a file in the
 * user's home, write a file outside its instance directory and connect to a host
 * loopback port, prints one line per attempt (the errno name, or SUCCEEDED), then
 * exits 1 like a kernel that failed to boot. The targets come from -D defines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *name(int err) {
    switch (err) {
    case 0: return "SUCCEEDED";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EROFS: return "EROFS";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENETUNREACH: return "ENETUNREACH";
    default: return strerror(err);
    }
}

static void report(const char *what, int err) {
    printf("probe %s: %s\n", what, name(err));
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        puts("escape probe, not a kernel");
        return 0;
    }
    int fd = open(HOME_FILE, O_RDONLY);
    report("read-home", fd >= 0 ? 0 : errno);

    fd = open(OUTSIDE_FILE, O_WRONLY | O_CREAT | O_EXCL, 0644);
    int err = fd >= 0 ? 0 : errno;
    if (fd >= 0 && write(fd, "escaped\n", 8) != 8) {
        err = errno;
    }
    report("write-outside", err);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(LOOPBACK_PORT)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    report("connect-loopback", connect(s, (struct sockaddr *) &addr, sizeof addr) == 0 ? 0 : errno);
    return 1;
}
