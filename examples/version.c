/* Prints the version of the libdrove it runs against and checks it matches the headers. */
#include <stdio.h>
#include <drove/drove.h>

int main(void)
{
	int major, minor, patch;

	drove_version(&major, &minor, &patch);
	printf("libdrove %d.%d.%d (headers %s)\n", major, minor, patch, DROVE_VERSION_STRING);
	if (major != DROVE_VERSION_MAJOR || minor != DROVE_VERSION_MINOR) {
		fprintf(stderr, "header/library version mismatch\n");
		return 1;
	}
	return 0;
}
