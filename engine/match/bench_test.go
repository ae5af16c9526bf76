package match

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSuggest times the whole Bulk Map computation, index included:
// NewMatcher over the HaloPSA clients, then Suggest for every local client.
// peak-MB is the largest live heap seen while it ran (sampled every 2 ms).
//
//	go test -run '^$' -bench . -benchtime 3x ./engine/match
func BenchmarkSuggest(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		locals, halo, _ := genBooks(n, 1)
		b.Run(fmt.Sprintf("%dx%d", n, n), func(b *testing.B) {
			peak := watchHeap(b)
			for b.Loop() {
				NewMatcher(halo).Suggest(locals, nil)
			}
			peak()
		})
	}
}

// BenchmarkBaseline is the naive method for comparison: plain
// Jaro-Winkler on the raw names, every pair, best candidate per local (no
// one-to-one). At 10,000 x 10,000 (10^8 pairs, minutes) it runs a 1%
// sample, 100 local clients against all 10,000, and reports est-s-full: the
// sample's time times 100.
func BenchmarkBaseline(b *testing.B) {
	for _, c := range []struct{ n, sample int }{{1000, 1000}, {10000, 100}} {
		locals, halo, _ := genBooks(c.n, 1)
		locals = locals[:c.sample]
		name := fmt.Sprintf("%dx%d", c.n, c.n)
		if c.sample < c.n {
			name += fmt.Sprintf("-sample%d", c.sample)
		}
		b.Run(name, func(b *testing.B) {
			peak := watchHeap(b)
			start := time.Now()
			for b.Loop() {
				baselineBest(locals, halo)
			}
			peak()
			per := time.Since(start).Seconds() / float64(b.N)
			b.ReportMetric(per*float64(c.n)/float64(c.sample), "est-s-full")
		})
	}
}

// baselineBest runs the naive method on all CPUs, as Suggest does.
func baselineBest(locals []Local, halo []Candidate) []Scored {
	out := make([]Scored, len(locals))
	var wg sync.WaitGroup
	var next atomic.Int64
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(locals); i = int(next.Add(1) - 1) {
				for _, c := range halo {
					if s := jw(locals[i].Name, c.Name); s > out[i].Score {
						out[i] = Scored{HaloID: c.ID, Score: s}
					}
				}
			}
		})
	}
	wg.Wait()
	return out
}

// watchHeap samples the live heap until the returned function is called,
// which reports the peak as peak-MB.
func watchHeap(b *testing.B) func() {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-MB")
	}
}
