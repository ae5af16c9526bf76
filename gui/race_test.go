//go:build race

package gui

// raceSlowdown is how much slower the race detector makes widget code;
// timing limits are scaled by it.
const raceSlowdown = 10
