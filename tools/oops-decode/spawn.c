#define _GNU_SOURCE  /* pipe2 */
#include "spawn.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int run_capture(char *const argv[], char **out, size_t *outlen)
{
	posix_spawn_file_actions_t fa;
	struct sbuf b = { 0 };
	int pfd[2], status, rc;
	pid_t pid;
	char chunk[65536];
	ssize_t n;

	*out = NULL;
	*outlen = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc) {
		close(pfd[0]);
		return -1;
	}
	for (;;) {
		n = read(pfd[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sb_add(&b, chunk, (size_t)n);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			sb_free(&b);
			return -1;
		}
	if (!WIFEXITED(status)) {
		sb_free(&b);
		return -1;
	}
	*outlen = b.len;
	*out = sb_steal(&b);
	return WEXITSTATUS(status);
}
