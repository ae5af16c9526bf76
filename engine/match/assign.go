package match

import (
	"math"
	"sort"
)

// One-to-one assignment.
//
// The pairs that reach SuggestThreshold form a bipartite graph between local
// and HaloPSA clients. Suggest picks, in each connected part of that graph,
// the set of pairs with the best total evidence, where a pair's evidence is
// -ln(1-score): adding up evidence rather than scores means that two
// middling pairs (0.80 + 0.80) do not outvote one sure pair (0.99), which is
// what a plain sum of scores would do when a near-miss sibling is involved.
// Parts are solved exactly with the Hungarian method; they are tiny in
// practice (most are one pair), and a part larger than maxExactPart is
// assigned greedily, best pair first, which is within a factor of two of the
// best total and, with distinct names, nearly always equal to it.
const maxExactPart = 200

// edge is a pair above the threshold: local index, candidate index, weight.
type edge struct {
	l, c int
	w    float64
}

func evidence(score float64) float64 {
	return -math.Log(math.Max(1-score, 1e-6))
}

// assign returns, for each local index, the index of its candidate or -1.
// edges must be sorted by local index then by weight, best first.
func assign(nLocal int, edges []edge) []int {
	out := make([]int, nLocal)
	for i := range out {
		out[i] = -1
	}
	for _, part := range components(edges) {
		if len(part) == 1 {
			out[part[0].l] = part[0].c
			continue
		}
		ls, cs := sides(part)
		if len(ls) > maxExactPart || len(cs) > maxExactPart {
			greedy(part, out)
			continue
		}
		hungarian(part, ls, cs, out)
	}
	return out
}

// components splits the edges into connected parts (union-find on the
// locals, joined through shared candidates), keeping their order.
func components(edges []edge) [][]edge {
	parent := map[int]int{}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	owner := map[int]int{} // candidate -> a local it is joined to
	for _, e := range edges {
		if _, ok := parent[e.l]; !ok {
			parent[e.l] = e.l
		}
		if o, ok := owner[e.c]; ok {
			a, b := find(o), find(e.l)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		} else {
			owner[e.c] = e.l
		}
	}
	index := map[int]int{}
	var parts [][]edge
	for _, e := range edges {
		r := find(e.l)
		i, ok := index[r]
		if !ok {
			i = len(parts)
			index[r] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], e)
	}
	return parts
}

func sides(part []edge) (ls, cs []int) {
	seenL, seenC := map[int]bool{}, map[int]bool{}
	for _, e := range part {
		if !seenL[e.l] {
			seenL[e.l] = true
			ls = append(ls, e.l)
		}
		if !seenC[e.c] {
			seenC[e.c] = true
			cs = append(cs, e.c)
		}
	}
	sort.Ints(cs)
	return ls, cs
}

func greedy(part []edge, out []int) {
	sorted := append([]edge(nil), part...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].w > sorted[j].w })
	usedL, usedC := map[int]bool{}, map[int]bool{}
	for _, e := range sorted {
		if !usedL[e.l] && !usedC[e.c] {
			usedL[e.l], usedC[e.c] = true, true
			out[e.l] = e.c
		}
	}
}

// hungarian finds the assignment of largest total weight in one part
// (Kuhn-Munkres with potentials on a square matrix padded with zeros; a
// zero-weight assignment means "not suggested").
func hungarian(part []edge, ls, cs []int, out []int) {
	n := max(len(ls), len(cs))
	li, ci := map[int]int{}, map[int]int{}
	for i, l := range ls {
		li[l] = i
	}
	for j, c := range cs {
		ci[c] = j
	}
	cost := make([][]float64, n+1)
	for i := range cost {
		cost[i] = make([]float64, n+1)
	}
	has := make([][]bool, n+1)
	for i := range has {
		has[i] = make([]bool, n+1)
	}
	for _, e := range part {
		i, j := li[e.l]+1, ci[e.c]+1
		cost[i][j] = -e.w // minimise the negated weight
		has[i][j] = true
	}
	u := make([]float64, n+1)
	v := make([]float64, n+1)
	p := make([]int, n+1) // p[j]: row matched to column j
	way := make([]int, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, n+1)
		used := make([]bool, n+1)
		for j := range minv {
			minv[j] = math.Inf(1)
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				if cur := cost[i0][j] - u[i0] - v[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	for j := 1; j <= n; j++ {
		i := p[j]
		if i >= 1 && i <= len(ls) && j <= len(cs) && has[i][j] {
			out[ls[i-1]] = cs[j-1]
		}
	}
}
