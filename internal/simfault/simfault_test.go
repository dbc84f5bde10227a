package simfault

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRandomSeeded: one seed, one sequence of faults, at about the rate.
func TestRandomSeeded(t *testing.T) {
	seq := func(seed int64) []int {
		hook := Random(seed, 0.25, []int{1, 2, 3}, func(k int) *int { return &k })
		var out []int
		for i := 0; i < 400; i++ {
			if f := hook(nil); f != nil {
				out = append(out, *f)
			} else {
				out = append(out, 0)
			}
		}
		return out
	}
	a, b, c := seq(5), seq(5), seq(6)
	faults := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 5 gave two sequences (request %d: %d, %d)", i, a[i], b[i])
		}
		if a[i] != 0 {
			faults++
		}
	}
	if faults < 60 || faults > 140 {
		t.Fatalf("%d faults in 400 requests at rate 0.25", faults)
	}
	if equal := func() bool {
		for i := range a {
			if a[i] != c[i] {
				return false
			}
		}
		return true
	}(); equal {
		t.Fatal("seeds 5 and 6 gave the same sequence")
	}
}

// TestDrop: the client sees a broken connection, not an answer.
func TestDrop(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Drop(w) {
			t.Error("could not take over an HTTP/1.1 connection")
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got %s from a dropped connection", resp.Status)
	}
}
