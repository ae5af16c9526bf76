package halosim

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	clk := newClock()
	o := small()
	o.Now = clk.Now
	o.RateLimit, o.RateWindow = 2, 10*time.Second
	h := startAuthed(t, o)
	h.login("") // token requests are not counted
	h.login("")

	statuses := func() []int {
		code, hdr, b := h.do(http.MethodGet, "/api/Client?count=1", "")
		if code == http.StatusTooManyRequests {
			if hdr.Get("Retry-After") != "" {
				t.Fatal("429 carries Retry-After")
			}
			if want := "Rate Limit Reached - 2 Requests per rolling 10 second window"; string(b) != want {
				t.Fatalf("429 body %q", b)
			}
		}
		return []int{code}
	}
	var got []int
	got = append(got, statuses()...) // t=0 ok
	got = append(got, statuses()...) // t=0 ok
	clk.Add(5 * time.Second)
	got = append(got, statuses()...) // t=5 limited, but logged
	clk.Add(5500 * time.Millisecond)
	got = append(got, statuses()...) // t=10.5: the t=0 pair left; only t=5 in window: ok
	got = append(got, statuses()...) // window holds t=5 and t=10.5: limited
	want := []int{200, 200, 429, 200, 429}
	if !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	if st := h.srv.Stats(); st.RateLimited != 2 {
		t.Fatalf("RateLimited = %d", st.RateLimited)
	}
	// Authinfo is exempt.
	if code, _, _ := h.do(http.MethodGet, "/api/authinfo", ""); code != 200 {
		t.Fatalf("authinfo limited: %d", code)
	}
	h.srv.SetFaults(Faults{})
	if code, _ := h.get("/api/Client"); code != 200 {
		t.Fatalf("after SetFaults: %d", code)
	}
}

func TestErrorInjectionIsDeterministic(t *testing.T) {
	run := func() []int {
		o := small()
		o.ErrorRate = 0.3
		h := startAuthed(t, o)
		var codes []int
		for range 60 {
			code, _ := h.get("/api/Client?count=1")
			codes = append(codes, code)
		}
		if n := slices.Index(codes, 500); n < 0 || h.srv.Stats().ServerErrors != count(codes, 500) {
			t.Fatalf("codes %v, stats %+v", codes, h.srv.Stats())
		}
		return codes
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if n := count(a, 500); n < 6 || n > 30 {
		t.Fatalf("%d of 60 failed at rate 0.3", n)
	}
}

func count(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

func TestDrop(t *testing.T) {
	h := startAuthed(t, small())
	h.srv.SetFaults(Faults{DropRate: 1})
	// No keep-alive, so the transport cannot quietly retry on a new connection.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/api/Client", nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request answered %d", resp.StatusCode)
	}
	if st := h.srv.Stats(); st.Dropped < 1 {
		t.Fatalf("Dropped = %d", st.Dropped)
	}
	// Tokens still work while resources drop.
	h.login("")
}

func TestLatency(t *testing.T) {
	o := small()
	o.Latency = 80 * time.Millisecond
	h := start(t, o)
	t0 := time.Now()
	h.token = h.login("")
	if d := time.Since(t0); d >= o.Latency {
		t.Fatalf("token took %v: latency applied", d)
	}
	t0 = time.Now()
	if code, _ := h.get("/api/Client"); code != 200 {
		t.Fatal(code)
	}
	if d := time.Since(t0); d < o.Latency {
		t.Fatalf("resource took %v, want >= %v", d, o.Latency)
	}
	if got := h.srv.Options().Latency; got != o.Latency {
		t.Fatalf("Options().Latency = %v", got)
	}
}

func TestStats(t *testing.T) {
	h := startAuthed(t, small())
	h.get("/api/Client")
	h.get("/API/Client")
	h.get("/api/Site?count=1")
	st := h.srv.Stats()
	if st.Requests != 4 || st.ByPath["/api/client"] != 2 || st.ByPath["/auth/token"] != 1 || st.TokensIssued != 1 {
		t.Fatalf("stats = %+v", st)
	}
	h.srv.ResetStats()
	if st := h.srv.Stats(); st.Requests != 0 || len(st.ByPath) != 0 {
		t.Fatalf("after reset = %+v", st)
	}
}

// TestConcurrentUse runs reads, writes, fault changes and mutations at once;
// it proves nothing without -race.
func TestConcurrentUse(t *testing.T) {
	h := startAuthed(t, small())
	clientID := h.srv.ActiveClientIDs()[0]
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 15 {
				var path string
				switch (i + j) % 4 {
				case 0:
					path = "/api/Users?pageinate=true&page_size=50"
				case 1:
					path = "/api/Client/" + itoa(clientID)
				case 2:
					path = "/api/Tickets?client_id=" + itoa(clientID)
				default:
					path = "/api/Site"
				}
				req, _ := http.NewRequest(http.MethodGet, h.ts.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+h.token)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
	}
	wg.Go(func() {
		for k := range 10 {
			h.srv.SetFaults(Faults{ErrorRate: float64(k%2) * 0.2, RateLimit: 1000 + k, RateWindow: time.Minute})
			_ = h.srv.RenameClient(clientID, "Renamed "+itoa(k))
			_ = h.srv.SetClientInactive(clientID, k%2 == 0)
			h.srv.AddClient("Concurrent " + itoa(k))
			_ = h.srv.Counts()
			_ = h.srv.Stats()
		}
	})
	wg.Wait()
}
