package drove

/*
#include <stdlib.h>
#include <drove/client.h>
*/
import "C"

import (
	"io"
	"os"
	"runtime"
)

// ReadAllLog reads a whole log file, chunk by chunk.
func (cl *Client) ReadAllLog(kind, id1, id2, file string) ([]byte, error) {
	var all []byte
	var off int64
	for {
		data, next, err := cl.ReadLog(kind, id1, id2, file, off, -1)
		if err != nil {
			return all, err
		}
		if len(data) == 0 {
			return all, nil
		}
		all = append(all, data...)
		off = next
	}
}

// TaskLog is the whole log file of a task (file "": output.log).
func (cl *Client) TaskLog(sourceApp, taskID, file string) (string, error) {
	if file == "" {
		file = "output.log"
	}
	b, err := cl.ReadAllLog(LogTasks, sourceApp, taskID, file)
	return string(b), err
}

// DownloadLog streams a log file (the executor's download endpoint) to w as it arrives; the
// number of bytes. An *os.File is written directly; any other writer is fed through a pipe
// by a goroutine of this call.
func (cl *Client) DownloadLog(kind, id1, id2, file string, w io.Writer) (int64, error) {
	if f, ok := w.(*os.File); ok {
		return cl.downloadFd(kind, id1, id2, file, f)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(w, pr)
		if err != nil {
			// drain the pipe so the C call can finish; the copy's error is returned
			_, _ = io.Copy(io.Discard, pr)
		}
		pr.Close()
		copied <- err
	}()
	n, err := cl.downloadFd(kind, id1, id2, file, pw)
	pw.Close()
	if cerr := <-copied; cerr != nil && err == nil {
		err = cerr
	}
	return n, err
}

func (cl *Client) downloadFd(kind, id1, id2, file string, f *os.File) (int64, error) {
	k, a, b, fl := cstr(kind), cstr(id1), cstr(id2), cstr(file)
	defer free(k)
	defer free(a)
	defer free(b)
	defer free(fl)
	var n C.int64_t
	fd := C.int(f.Fd())
	err := cl.do(false, func(c *C.drove_client) C.int {
		return C.drove_client_log_download(c, k, a, b, fl, fd, &n)
	})
	runtime.KeepAlive(f)
	return int64(n), err
}
