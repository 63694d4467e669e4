/* The standard process families, read from /proc/self (include/drove/metrics.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <drove/metrics.h>

#include "core/internal.h"

enum { P_RSS, P_VSIZE, P_CPU, P_FDS, P_MAXFDS, P_THREADS, P_START, P_N };

static const struct {
	const char *name, *help;
	int counter;
} fams[P_N] = {
        {"process_resident_memory_bytes", "Resident memory size in bytes.", 0},
        {"process_virtual_memory_bytes", "Virtual memory size in bytes.", 0},
        {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", 1},
        {"process_open_fds", "Number of open file descriptors.", 0},
        {"process_max_fds", "Maximum number of open file descriptors.", 0},
        {"process_threads", "Number of OS threads in the process.", 0},
        {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.", 0},
};

/* Seconds since the epoch at boot (btime in /proc/stat); 0 when unknown. */
static double boot_time(void)
{
	char line[256];
	double bt = 0;
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "btime ", 6)) {
			bt = strtod(line + 6, NULL);
			break;
		}
	fclose(f);
	return bt;
}

static int count_fds(void)
{
	int n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory stream's own descriptor */
}

static void collect(drove_metrics *m, void *userdata)
{
	drove_metric **f = userdata;
	char buf[1024], *p;
	unsigned long long utime = 0, stime = 0, start = 0, vsize = 0;
	long long rss = 0, threads = 0;
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	size_t n;
	int fds;
	FILE *st = fopen("/proc/self/stat", "re");
	if (!st)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, st);
	fclose(st);
	buf[n] = '\0';
	/* the command name is in parentheses and may hold spaces: parse after the last ')' */
	if (!(p = strrchr(buf, ')')) || tick <= 0)
		return;
	/* fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss */
	if (sscanf(p + 1,
	           " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %lld "
	           "%*d %llu %llu %lld",
	           &utime, &stime, &threads, &start, &vsize, &rss) != 6)
		return;
	drove_metric_set(f[P_RSS], NULL, (double)rss * (double)page);
	drove_metric_set(f[P_VSIZE], NULL, (double)vsize);
	drove_metric_set(f[P_CPU], NULL, (double)(utime + stime) / (double)tick);
	drove_metric_set(f[P_THREADS], NULL, (double)threads);
	drove_metric_set(f[P_START], NULL, boot_time() + (double)start / (double)tick);
	if ((fds = count_fds()) >= 0)
		drove_metric_set(f[P_FDS], NULL, fds);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		drove_metric_set(f[P_MAXFDS], NULL, (double)rl.rlim_cur);
	(void)m;
}

/* The collector needs no state of its own: registering a family again finds it. */
static void collect_by_name(drove_metrics *m, void *userdata)
{
	drove_metric *f[P_N];
	for (int i = 0; i < P_N; i++) {
		int rc = fams[i].counter
		                 ? drove_metrics_counter(m, &f[i], fams[i].name, fams[i].help, NULL)
		                 : drove_metrics_gauge(m, &f[i], fams[i].name, fams[i].help, NULL);
		if (rc < 0)
			return;
	}
	collect(m, f);
	(void)userdata;
}

int drove_metrics_add_process(drove_metrics *m)
{
	drove_metric *f;
	DROVE_CHECK_ARG(m);
	for (int i = 0; i < P_N; i++) {
		int rc = fams[i].counter
		                 ? drove_metrics_counter(m, &f, fams[i].name, fams[i].help, NULL)
		                 : drove_metrics_gauge(m, &f, fams[i].name, fams[i].help, NULL);
		if (rc < 0)
			return rc;
	}
	drove_metrics_off_collect(m, collect_by_name, NULL);
	return drove_metrics_on_collect(m, collect_by_name, NULL);
}
