package postmortem

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordSet finds whole words and two-word phrases in text, ignoring case,
// in one pass. It stands in for keyword expressions such as
// `(?i)\b(?:because|due to|...)\b`, which Go's regexp matches many times
// slower, on every paragraph of every document.
type wordSet struct {
	one map[string]bool
	two map[string]bool
	// The lengths of the entries (bit min(len, 63)) by their first byte:
	// of the words, and of the first and second words of the phrases.
	oneLens  [256]uint64
	pairLens [2][256]uint64
	// edPast also matches any word of five letters or more ending in "ed"
	// (a verb in the past).
	edPast bool
}

func newWordSet(entries ...string) *wordSet {
	ws := &wordSet{one: map[string]bool{}, two: map[string]bool{}}
	for _, e := range entries {
		if a, b, ok := strings.Cut(e, " "); ok {
			ws.two[e] = true
			ws.pairLens[0][a[0]] |= wordLen([]byte(a))
			ws.pairLens[1][b[0]] |= wordLen([]byte(b))
		} else {
			ws.one[e] = true
			ws.oneLens[e[0]] |= wordLen([]byte(e))
		}
	}
	return ws
}

// match reports whether s holds one of the words or phrases.
func (ws *wordSet) match(s string) bool {
	var bufs [2][80]byte
	var prev []byte
	for i, cur := 0, 0; ; cur ^= 1 {
		w, next, ok := nextWord(s, i, &bufs[cur])
		if !ok {
			return false
		}
		if ws.hit(prev, w) {
			return true
		}
		prev, i = w, next
	}
}

// hit reports whether the word w, or w after prev, is one of the set's.
func (ws *wordSet) hit(prev, w []byte) bool {
	if ws.mayOne(w) && ws.one[string(w)] || ws.edPast && len(w) >= 5 && w[len(w)-2] == 'e' && w[len(w)-1] == 'd' {
		return true
	}
	return len(prev) > 0 && ws.mayTwo(prev, w) && ws.hasPair(prev, w)
}

// hasPair reports whether "prev w" is one of the set's phrases.
func (ws *wordSet) hasPair(prev, w []byte) bool {
	var pair [160]byte
	if len(prev)+1+len(w) > len(pair) {
		return false
	}
	return ws.two[string(append(append(append(pair[:0], prev...), ' '), w...))]
}

// first reports whether s starts with one of the words or phrases.
func (ws *wordSet) first(s string) bool {
	var bufs [2][80]byte
	w1, next, ok := nextWord(s, 0, &bufs[0])
	if !ok {
		return false
	}
	found := ws.one[string(w1)]
	if w2, _, ok := nextWord(s, next, &bufs[1]); ok && ws.hasPair(w1, w2) {
		found = true
	}
	return found
}

// wordLen is the bit of a word's length in wordSet's masks.
func wordLen(w []byte) uint64 { return 1 << min(len(w), 63) }

// mayOne and mayTwo are wordSet's cheap tests before a map lookup: an
// entry starts with the word's first byte and has its length.
func (ws *wordSet) mayOne(w []byte) bool { return ws.oneLens[w[0]]&wordLen(w) != 0 }

func (ws *wordSet) mayTwo(prev, w []byte) bool {
	return ws.pairLens[0][prev[0]]&wordLen(prev) != 0 && ws.pairLens[1][w[0]]&wordLen(w) != 0
}

// nextWord reads the first word of s at or after i (letters, digits, an
// apostrophe inside a word), lower case, into buf (a word is cut at 80
// bytes), and returns it and where s goes on. Callers keep two buffers
// on the stack, one for the word and one for the word before it: no
// match allocates.
func nextWord(s string, i int, buf *[80]byte) (w []byte, next int, ok bool) {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			if r, n := utf8.DecodeRuneInString(s[i:]); !wordRune(r) {
				i += n
				continue
			}
		}
		b := buf[:0]
		j := i
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				switch {
				case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				case c >= 'A' && c <= 'Z':
					c += 'a' - 'A'
				case c == '\'':
				default:
					goto end
				}
				if len(b) < cap(b) {
					b = append(b, c)
				}
				j++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[j:])
			if r == '’' {
				r = '\''
			} else if !wordRune(r) {
				break
			}
			if len(b)+utf8.RuneLen(r) <= cap(b) {
				b = utf8.AppendRune(b, unicode.ToLower(r))
			}
			j += n
		}
	end:
		for len(b) > 0 && b[len(b)-1] == '\'' {
			b = b[:len(b)-1]
		}
		return b, j, true
	}
	return nil, len(s), false
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// The word lists the prose heuristics use.
var (
	// causeWords name a cause or effect, or something that did not happen
	// or was wrong (see causal).
	causeWords = newWordSet(
		"because", "due to", "cause", "causes", "caused", "causing", "led to", "lead to", "leads to",
		"result in", "results in", "resulted in", "resulting in", "trigger", "triggered", "triggers",
		"contributed", "contributing", "contributes", "root", "reason", "not", "no", "never", "none",
		"nobody", "without", "lack", "lacked", "lacking", "missing", "miss", "missed", "fail", "failed",
		"fails", "failure", "failing", "unable", "couldn't", "could not", "didn't", "did not", "wasn't",
		"was not", "weren't", "were not", "isn't", "is not", "aren't", "are not", "doesn't", "does not",
		"don't", "do not", "wrong", "incorrect", "incorrectly", "invalid", "broken", "broke", "bug", "bugs",
		"error", "errors", "outage", "exhaust", "exhausted", "overload", "overloaded", "misconfigured",
		"misconfiguration", "expire", "expired", "stale", "only", "too", "late", "slow", "unclear",
		"confused", "confusing", "confusion", "overwrote", "overwritten", "overwriting", "accident",
		"accidental", "accidentally", "mistake", "mistakes", "mistaken", "unexpected", "unexpectedly",
		"assumed", "assume", "assumption", "assumptions", "rather than", "instead of", "skipped",
		"skipping", "so it", "so the", "so we", "so they", "so that", "so nobody", "so no")
	// pastWords are verbs in the past besides the regular "-ed" ones.
	pastWords = func() *wordSet {
		ws := newWordSet("was", "were", "had", "did", "wrote", "ran", "took", "went", "broke", "made", "got",
			"set", "put", "led", "lost", "found", "held", "kept", "left", "sent", "began", "came", "became",
			"gave", "knew", "saw", "told", "hit", "grew", "fell", "rose", "drew", "chose", "froze", "shut",
			"spent", "built", "brought", "caught", "thought", "meant", "read", "ate", "rebuilt", "forgot",
			"overwrote", "understood", "undertook", "withdrew", "woke", "wore", "won", "paid", "said", "sold",
			"stood", "struck", "swept", "taught", "threw", "tore", "wound", "bent", "bound", "bought", "dealt",
			"dug", "fed", "fled", "fought", "hid", "hung", "laid", "lent", "lit", "shot", "slid", "split",
			"spread", "stuck", "swung")
		ws.edPast = true
		return ws
	}()
	// actionVerbs start an imperative action item.
	actionVerbs = newWordSet("add", "adopt", "alert", "allow", "audit", "automate", "build", "change", "check",
		"clarify", "consider", "create", "define", "deploy", "document", "enable", "disable", "ensure",
		"establish", "evaluate", "expand", "explore", "extend", "fix", "implement", "improve", "increase",
		"introduce", "investigate", "limit", "list", "look into", "make", "migrate", "monitor", "move", "pin", "publish",
		"reduce", "refactor", "remove", "replace", "require", "review", "rotate", "run", "schedule", "set up",
		"split", "switch", "test", "track", "train", "update", "upgrade", "use", "validate", "verify", "write")
	// planWords plan, require or record work (see commitment).
	planWords = newWordSet("will", "won't", "we'll", "shall", "should", "must", "need to", "needs to",
		"plan to", "plans to", "planning to", "going to", "intend to", "would be", "has been", "have been",
		"is now", "are now", "now requires", "now require", "fixed in", "filed", "tracked in", "in progress")
	// askWords start a question a team must answer: "Can we detect ...?".
	askWords = newWordSet("can we", "do we", "should we", "shall we")
	// doneHints is the cheap test before reDoneStatement.
	doneHints = newWordSet("been", "now", "we", "i", "they", "was", "were", "is", "are", "implemented", "fixed", "we've", "i've", "they've")
	// planned marks a plan, not a record of work done (see doneStatement).
	plannedWords = newWordSet("will", "should", "shall", "must", "need to", "needs to", "needed to",
		"plan to", "plans to", "planned to", "going to", "would", "could", "to be")
)
