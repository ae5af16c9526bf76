package main

import (
	"fmt"
	"os"

	"golang.org/x/term"
)

func stdinIsTerminal() bool { return term.IsTerminal(int(os.Stdin.Fd())) }

// readPasswordFromTerminal prompts on stderr and reads without echo.
func readPasswordFromTerminal() (string, error) {
	fmt.Fprint(os.Stderr, "HaloPSA client secret: ")
	b, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(os.Stderr)
	return string(b), err
}
