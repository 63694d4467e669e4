// Package drove drives a Drove cluster through libdrove's REST client (include/drove/client.h):
// leader tracking across controller endpoints, retries, timeouts and the API's error rules
// are the C library's; this package fills Go structs from its typed records (records.go), or
// from its JSON where a call has no record (specs, operations' answers, endpoints), and turns
// its error codes into *Error values. Waits and follows take a context.Context.
//
// Build: cgo links -ldrove. With libdrove installed (libdrove-dev) nothing else is needed;
// against a build tree set CGO_CFLAGS="-I<src>/include -I<build>/include" and
// CGO_LDFLAGS="-L<build>/libdrove -Wl,-rpath,<build>/libdrove". Use it from another module
// with `require libdrove.local/drove v0.0.0` and `replace libdrove.local/drove => <src>/bindings/go`.
//
// Threads: a *Client serialises its calls with a mutex (share one between goroutines, or use
// one per goroutine for parallel calls); each C call runs with its goroutine locked to the OS
// thread, so the thread's error is read where it was set. A blocking call holds one OS thread.
package drove

/*
#cgo LDFLAGS: -ldrove
#include <stdlib.h>
#include <drove/ctx.h>
#include <drove/client.h>
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Options of NewClient; the zero value is no authentication, TLS verification on and the C
// client's defaults (5 s connect, 30 s request, 3 retries).
type Options struct {
	User, Password string        // HTTP Basic authentication when User is set
	Token          string        // sent verbatim as the Authorization header when set
	Insecure       bool          // do not verify TLS certificates
	ConnectTimeout time.Duration // 0: 5 s
	RequestTimeout time.Duration // 0: 30 s
	Retries        int           // < 0: no retry; 0: the default 3
}

// Client is a client of one Drove cluster. Close it when done.
type Client struct {
	mu  sync.Mutex
	ctx *C.drove_ctx
	c   *C.drove_client
}

// Error codes (include/drove/common.h).
const (
	CodeError       = -1
	CodeNoMem       = -2
	CodeInvalid     = -3
	CodeNotFound    = -4
	CodeAuth        = -7
	CodeUnavailable = -8
	CodeTimeout     = -9
)

// Error is a failed call: the library's or the controller's message, the DROVE_E* code, the
// HTTP status of the failed API call (0 when none answered), the failed envelope's data and
// the API's validation errors (a 400 "Command validation failure" lists them).
type Error struct {
	Code             int
	Status           int
	Message          string
	ValidationErrors []string
	Data             json.RawMessage
}

func (e *Error) Error() string { return e.Message }

// Is matches the sentinel errors by code: errors.Is(err, drove.ErrNotFound).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrInvalid     = &Error{Code: CodeInvalid}     // bad input; a 400 (see ValidationErrors)
	ErrNotFound    = &Error{Code: CodeNotFound}    // no such object
	ErrAuth        = &Error{Code: CodeAuth}        // 401/403
	ErrUnavailable = &Error{Code: CodeUnavailable} // no leader answered (retryable)
	ErrTimeout     = &Error{Code: CodeTimeout}     // a call did not finish in time
	ErrClosed      = errors.New("drove: the client is closed")
)

// lastError builds the *Error of the call that just failed on this OS thread.
func lastError(rc C.int, c *C.drove_client) error {
	e := C.drove_error_last()
	err := &Error{Code: int(rc), Message: C.GoString(e.message)}
	if err.Message == "" {
		err.Message = C.GoString(C.drove_strerror(rc))
	}
	if c != nil {
		err.Status = int(C.drove_client_last_status(c))
		if d := C.drove_client_last_error_data(c); d != nil {
			err.Data = json.RawMessage(C.GoString(d))
			var v struct {
				ValidationErrors []interface{} `json:"validationErrors"`
			}
			if json.Unmarshal(err.Data, &v) == nil {
				for _, s := range v.ValidationErrors {
					err.ValidationErrors = append(err.ValidationErrors, fmt.Sprint(s))
				}
			}
		}
	}
	return err
}

func cstr(s string) *C.char { return C.CString(s) }

// cstrOpt is NULL for "".
func cstrOpt(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

// cbool is 1 for true, 0 for false.
func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func free(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// NewClient connects (lazily: the leader is found on the first call) to the controllers at
// endpoints ("http[s]://host:port").
func NewClient(endpoints []string, opts *Options) (*Client, error) {
	if opts == nil {
		opts = &Options{}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cl := &Client{}
	if rc := C.drove_ctx_new(&cl.ctx); rc < 0 {
		return nil, lastError(rc, nil)
	}
	if rc := C.drove_client_new(&cl.c, cl.ctx); rc < 0 {
		err := lastError(rc, nil)
		cl.Close()
		return nil, err
	}
	fail := func(rc C.int) (*Client, error) {
		err := lastError(rc, nil)
		cl.Close()
		return nil, err
	}
	for _, ep := range endpoints {
		p := cstr(ep)
		rc := C.drove_client_add_endpoint(cl.c, p)
		free(p)
		if rc < 0 {
			return fail(rc)
		}
	}
	if opts.User != "" {
		u, p := cstr(opts.User), cstr(opts.Password)
		rc := C.drove_client_set_basic_auth(cl.c, u, p)
		free(u)
		free(p)
		if rc < 0 {
			return fail(rc)
		}
	}
	if opts.Token != "" {
		t := cstr(opts.Token)
		rc := C.drove_client_set_auth_header(cl.c, t)
		free(t)
		if rc < 0 {
			return fail(rc)
		}
	}
	if opts.Insecure {
		C.drove_client_set_insecure(cl.c, 1)
	}
	connect, request := int64(5000), int64(30000)
	if opts.ConnectTimeout > 0 {
		connect = opts.ConnectTimeout.Milliseconds()
	}
	if opts.RequestTimeout > 0 {
		request = opts.RequestTimeout.Milliseconds()
	}
	if rc := C.drove_client_set_timeouts(cl.c, C.int64_t(connect), C.int64_t(request)); rc < 0 {
		return fail(rc)
	}
	retries := 3
	if opts.Retries < 0 {
		retries = 0
	} else if opts.Retries > 0 {
		retries = opts.Retries
	}
	if rc := C.drove_client_set_retries(cl.c, C.int(retries), 200, 2000); rc < 0 {
		return fail(rc)
	}
	return cl, nil
}

// Close frees the client; calls after it return ErrClosed.
func (cl *Client) Close() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.c != nil {
		C.drove_client_free(cl.c)
		cl.c = nil
	}
	if cl.ctx != nil {
		C.drove_ctx_free(cl.ctx)
		cl.ctx = nil
	}
}

// do runs one C call under the client's lock on a locked OS thread; envelope says whether
// the client's last status and error data belong to this call.
func (cl *Client) do(envelope bool, fn func(c *C.drove_client) C.int) error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.c == nil {
		return ErrClosed
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := fn(cl.c); rc < 0 {
		if envelope {
			return lastError(rc, cl.c)
		}
		return lastError(rc, nil)
	}
	return nil
}

// text runs a call that returns JSON text through `char **out` and decodes it into v (a
// *json.RawMessage keeps it as is).
func (cl *Client) text(v interface{}, fn func(c *C.drove_client, out **C.char) C.int) error {
	var out *C.char
	err := cl.do(true, func(c *C.drove_client) C.int { return fn(c, &out) })
	if err != nil {
		return err
	}
	s := C.GoString(out)
	C.drove_free(unsafe.Pointer(out))
	if v == nil {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

// Leader is the leader's endpoint URL once found, else "".
func (cl *Client) Leader() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.c == nil {
		return ""
	}
	return C.GoString(C.drove_client_leader(cl.c))
}

// FindLeader pings every endpoint now; the leader's URL.
func (cl *Client) FindLeader() (string, error) {
	if err := cl.do(false, func(c *C.drove_client) C.int { return C.drove_client_find_leader(c) }); err != nil {
		return "", err
	}
	return cl.Leader(), nil
}

// Ping asks the leader for /ping.
func (cl *Client) Ping() error {
	return cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_ping(c) })
}

// Call sends any /apis/v1 request with the envelope rules: path after /apis/v1 (escaped),
// query without '?' (may be ""), body marshalled to JSON (nil: none); the envelope's data is
// decoded into out (may be nil).
func (cl *Client) Call(method, path, query string, body, out interface{}) error {
	var b *C.char
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			return err
		}
		b = cstr(string(js))
		defer free(b)
	}
	m, p, q := cstr(method), cstr("/apis/v1"+path), cstrOpt(query)
	defer free(m)
	defer free(p)
	defer free(q)
	return cl.text(out, func(c *C.drove_client, o **C.char) C.int {
		return C.drove_client_call(c, m, p, q, b, o)
	})
}
