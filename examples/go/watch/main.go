// watch follows a Drove cluster's events and prints one line per event until interrupted.
//
//	go run . -endpoint http://127.0.0.1:4000 [-user admin -password pw] [-type INSTANCE_STATE_CHANGE] [-for 30s]
//
// Build against a libdrove build tree with CGO_CFLAGS / CGO_LDFLAGS (bindings/README.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"libdrove.local/drove"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4000", "controller endpoints, comma-separated")
	user := flag.String("user", "", "basic auth user")
	password := flag.String("password", "", "basic auth password")
	only := flag.String("type", "", "only events of this type")
	since := flag.Int64("since", -1, "start at this time (ms); -1: now, 0: everything the leader holds")
	every := flag.Duration("every", 2*time.Second, "poll interval")
	duration := flag.Duration("for", 0, "stop after this long (0: until interrupted)")
	flag.Parse()

	c, err := drove.NewClient(strings.Split(*endpoint, ","), &drove.Options{User: *user, Password: *password})
	if err != nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		os.Exit(2)
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	from := *since
	if from < 0 {
		from = time.Now().UnixMilli()
	}
	err = c.FollowEvents(ctx, from, *every, func(ev drove.Event) error {
		if *only != "" && ev.Type != *only {
			return nil
		}
		keys := make([]string, 0, len(ev.Metadata))
		for k := range ev.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%s", k, ev.Meta(k))
		}
		fmt.Printf("%s %s%s\n", time.UnixMilli(ev.Time).Format("15:04:05.000"), ev.Type, b.String())
		return nil
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		os.Exit(1)
	}
}
