// tsdb-writer turns the simulator's binary sample stream (tools/simulator/tsdbStream.ts) on stdin into one
// Prometheus TSDB block in --out, with the tsdb package's BlockWriter: the same storage code Prometheus runs,
// without promtool's text parsing, which is what limits the OpenMetrics backfill to about 0.2 M samples/s.
//
// Stream (little endian), records back to back:
//
//	'G' u16 n, then n × (u16 len, bytes `name{labels}`)   the series of the points that follow
//	'P' f64 t (unix ms), then n × f64                      one scrape of the current group
//	'E'                                                     end of stream
//
// Prints one JSON line of counts and timings on stdout when done.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// Samples per appender commit: big enough that commits cost nothing, small enough that pending samples stay small.
const commitEvery = 1 << 20

type stats struct {
	Samples   int64   `json:"samples"`
	Series    int     `json:"series"`
	AppendSec float64 `json:"appendSeconds"`
	FlushSec  float64 `json:"flushSeconds"`
	Block     string  `json:"block"`
}

func main() {
	out := flag.String("out", "", "TSDB data directory to write the block into")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "tsdb-writer: --out DIR is required")
		os.Exit(2)
	}
	if err := run(*out, bufio.NewReaderSize(os.Stdin, 1<<20)); err != nil {
		fmt.Fprintln(os.Stderr, "tsdb-writer:", err)
		os.Exit(1)
	}
}

type series struct {
	lset labels.Labels
	ref  storage.SeriesRef
}

func run(out string, in *bufio.Reader) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// One block for the whole stream: the head's chunk range must cover every sample, and a single block is what
	// Prometheus would otherwise compact the backfill into (its max block duration is 31 days here).
	w, err := tsdb.NewBlockWriter(logger, out, math.MaxInt64/4)
	if err != nil {
		return err
	}
	defer w.Close()

	p := parser.NewParser(parser.Options{})
	known := map[string]*series{}
	var group []*series
	var st stats
	start := time.Now()
	ctx := context.Background()
	app := w.Appender(ctx)
	pending := 0
	var u16 [2]byte
	buf := make([]byte, 8*64)
	for {
		kind, err := in.ReadByte()
		if err != nil {
			return fmt.Errorf("stream ended without 'E': %w", err)
		}
		switch kind {
		case 'G':
			if _, err := io.ReadFull(in, u16[:]); err != nil {
				return err
			}
			n := int(binary.LittleEndian.Uint16(u16[:]))
			group = group[:0]
			for i := 0; i < n; i++ {
				if _, err := io.ReadFull(in, u16[:]); err != nil {
					return err
				}
				text := make([]byte, binary.LittleEndian.Uint16(u16[:]))
				if _, err := io.ReadFull(in, text); err != nil {
					return err
				}
				s, ok := known[string(text)]
				if !ok {
					lset, err := p.ParseMetric(string(text))
					if err != nil {
						return fmt.Errorf("series %q: %w", text, err)
					}
					s = &series{lset: lset}
					known[string(text)] = s
				}
				group = append(group, s)
			}
			if len(buf) < 8*(n+1) {
				buf = make([]byte, 8*(n+1))
			}
		case 'P':
			rec := buf[:8*(len(group)+1)]
			if _, err := io.ReadFull(in, rec); err != nil {
				return err
			}
			t := int64(math.Float64frombits(binary.LittleEndian.Uint64(rec)))
			for i, s := range group {
				v := math.Float64frombits(binary.LittleEndian.Uint64(rec[8*(i+1):]))
				ref, err := app.Append(s.ref, s.lset, t, v)
				if err != nil {
					return fmt.Errorf("append %s @%d: %w", s.lset, t, err)
				}
				s.ref = ref
			}
			st.Samples += int64(len(group))
			pending += len(group)
			if pending >= commitEvery {
				if err := app.Commit(); err != nil {
					return err
				}
				app = w.Appender(ctx)
				pending = 0
			}
		case 'E':
			if err := app.Commit(); err != nil {
				return err
			}
			st.Series = len(known)
			st.AppendSec = time.Since(start).Seconds()
			t1 := time.Now()
			id, err := w.Flush(ctx)
			if err != nil {
				return err
			}
			st.FlushSec = time.Since(t1).Seconds()
			st.Block = id.String()
			return json.NewEncoder(os.Stdout).Encode(st)
		default:
			return fmt.Errorf("unknown record %q", kind)
		}
	}
}
