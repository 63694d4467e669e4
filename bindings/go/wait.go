package drove

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// WaitFor is what WaitApp waits for: State (e.g. "RUNNING", "MONITORING"; "DESTROYED" waits
// until the app is gone) and/or at least Healthy HEALTHY instances. Interval between polls
// (0: 1 s).
type WaitFor struct {
	State    string
	Healthy  int64
	Interval time.Duration
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func interval(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// WaitApp polls the application until `want` holds or ctx ends (then the error wraps
// ctx.Err() and says what was last seen); the last summary.
func (cl *Client) WaitApp(ctx context.Context, appID string, want WaitFor) (AppSummary, error) {
	return waitState(ctx, "app "+appID, want, func() (AppSummary, error) { return cl.App(appID) },
		func(s AppSummary) (string, int64) { return s.State, s.HealthyInstances })
}

// waitState polls get until its state and healthy count (by state()) meet `want`; a not
// found object meets State "DESTROYED" (the last value seen is returned then).
func waitState[T any](ctx context.Context, what string, want WaitFor, get func() (T, error),
	state func(T) (string, int64)) (T, error) {
	var last T
	for {
		v, err := get()
		if err != nil {
			if want.State == "DESTROYED" && errors.Is(err, ErrNotFound) {
				return last, nil
			}
			return last, err
		}
		last = v
		st, healthy := state(v)
		if (want.State == "" || st == want.State) && healthy >= want.Healthy {
			return v, nil
		}
		if err := sleep(ctx, interval(want.Interval, time.Second)); err != nil {
			return last, fmt.Errorf("waiting for %s (state %q, %d healthy): last seen state %s, %d healthy: %w",
				what, want.State, want.Healthy, st, healthy, err)
		}
	}
}

// WaitTaskResult polls the task until it is STOPPED or LOST; its result (a LOST task without
// one gives Status "LOST").
func (cl *Client) WaitTaskResult(ctx context.Context, sourceApp, taskID string, every time.Duration) (TaskResult, error) {
	for {
		t, err := cl.Task(sourceApp, taskID)
		if err != nil {
			return TaskResult{}, err
		}
		if t.State == "STOPPED" || t.State == "LOST" {
			if t.TaskResult == nil {
				return TaskResult{Status: "LOST"}, nil
			}
			return *t.TaskResult, nil
		}
		if err := sleep(ctx, interval(every, time.Second)); err != nil {
			return TaskResult{}, fmt.Errorf("waiting for task %s/%s (state %s): %w", sourceApp, taskID, t.State, err)
		}
	}
}

// WaitTask polls the task until it is in `state` (e.g. "RUNNING"; finished tasks are
// STOPPED or LOST, which also end the wait) or ctx ends; the last record seen.
func (cl *Client) WaitTask(ctx context.Context, sourceApp, taskID, state string, every time.Duration) (TaskInfo, error) {
	for {
		t, err := cl.Task(sourceApp, taskID)
		if err != nil {
			return t, err
		}
		if t.State == state || t.State == "STOPPED" || t.State == "LOST" {
			return t, nil
		}
		if err := sleep(ctx, interval(every, time.Second)); err != nil {
			return t, fmt.Errorf("waiting for task %s/%s to be %s (state %s): %w", sourceApp, taskID, state, t.State, err)
		}
	}
}

// WaitTasks polls the active task list until done(list) is true or ctx ends; the last list.
// E.g. wait until no task of an app is left running.
func (cl *Client) WaitTasks(ctx context.Context, every time.Duration, done func([]TaskInfo) bool) ([]TaskInfo, error) {
	for {
		ts, err := cl.Tasks()
		if err != nil {
			return ts, err
		}
		if done(ts) {
			return ts, nil
		}
		if err := sleep(ctx, interval(every, time.Second)); err != nil {
			return ts, fmt.Errorf("waiting on the task list (%d tasks): %w", len(ts), err)
		}
	}
}

// FollowEvents calls fn with each new event, oldest first, polling every `every` (0: 2 s),
// until ctx ends (it returns ctx.Err()), fn returns an error (returned as is) or a call
// fails. since: ms (0: everything the leader holds; use time.Now().UnixMilli() for new
// events only). fn runs on the calling goroutine.
func (cl *Client) FollowEvents(ctx context.Context, since int64, every time.Duration, fn func(Event) error) error {
	seen := map[string]int64{}
	for {
		from := since - 1
		if from < 0 {
			from = 0
		}
		batch, err := cl.Events(from, 1024)
		if err != nil {
			return err
		}
		sort.SliceStable(batch, func(i, j int) bool { return batch[i].Time < batch[j].Time })
		for _, ev := range batch {
			if _, dup := seen[ev.ID]; dup || ev.Time < since {
				continue
			}
			seen[ev.ID] = ev.Time
			if err := fn(ev); err != nil {
				return err
			}
		}
		for _, t := range seen {
			if t > since {
				since = t
			}
		}
		for id, t := range seen {
			if t < since-1 {
				delete(seen, id)
			}
		}
		if err := sleep(ctx, interval(every, 2*time.Second)); err != nil {
			return err
		}
	}
}

// FollowLog calls fn with each new line of a log file (like tail -f), polling every `every`
// (0: 1 s), until ctx ends (it returns ctx.Err()), fn fails or a call fails. fromStart:
// begin with the existing content.
func (cl *Client) FollowLog(ctx context.Context, kind, id1, id2, file string, fromStart bool,
	every time.Duration, fn func(line string) error) error {
	var off int64
	if !fromStart {
		_, o, err := cl.ReadLog(kind, id1, id2, file, -1, -1)
		if err != nil {
			return err
		}
		off = o
	}
	var pending []byte
	for {
		data, o, err := cl.ReadLog(kind, id1, id2, file, off, -1)
		if err != nil {
			return err
		}
		off = o
		if len(data) > 0 {
			pending = append(pending, data...)
			for {
				i := bytes.IndexByte(pending, '\n')
				if i < 0 {
					break
				}
				if err := fn(string(pending[:i])); err != nil {
					return err
				}
				pending = pending[i+1:]
			}
			continue
		}
		if err := sleep(ctx, interval(every, time.Second)); err != nil {
			return err
		}
	}
}
