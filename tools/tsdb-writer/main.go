// tsdb-writer turns the simulator's binary sample stream (tools/simulator/tsdbStream.ts) on stdin into Prometheus
// TSDB blocks in --out (one per 'B'-separated part), with the tsdb package's BlockWriter: the same storage code Prometheus runs,
// without promtool's text parsing, which is what limits the OpenMetrics backfill to about 0.2 M samples/s.
//
// Stream (little endian), records back to back:
//
//	'G' u16 n, then n × (u16 len, bytes `name{labels}`)   the series of the points that follow
//	'P' f64 t (unix ms), then n × f64                      one scrape of the current group
//	'B'                                                     the block so far is complete: write it, start the next
//	'E'                                                     end of stream
//
// Prints one JSON line of counts and timings on stdout when done.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
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
	Blocks    int     `json:"blocks"`
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
	// The head's chunk range must cover every sample of a block, whatever its span: the stream decides the blocks.
	newWriter := func() (*tsdb.BlockWriter, error) { return tsdb.NewBlockWriter(logger, out, math.MaxInt64/4) }
	w, err := newWriter()
	if err != nil {
		return err
	}
	defer func() { w.Close() }()

	p := parser.NewParser(parser.Options{})
	known := map[string]*series{}
	var group []*series
	var st stats
	start := time.Now()
	var flushing time.Duration
	ctx := context.Background()
	app := w.Appender(ctx)
	pending := 0 // samples since the last commit
	inBlock := 0 // samples in the current block
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
			inBlock += len(group)
			if pending >= commitEvery {
				if err := app.Commit(); err != nil {
					return err
				}
				app = w.Appender(ctx)
				pending = 0
			}
		case 'B', 'E':
			if err := app.Commit(); err != nil {
				return err
			}
			t1 := time.Now()
			if inBlock > 0 {
				if _, err := w.Flush(ctx); err != nil && !errors.Is(err, tsdb.ErrNoSeriesAppended) {
					return err
				}
				st.Blocks++
			}
			flushing += time.Since(t1)
			if kind == 'E' {
				st.Series = len(known)
				st.FlushSec = flushing.Seconds()
				st.AppendSec = time.Since(start).Seconds() - st.FlushSec
				return json.NewEncoder(os.Stdout).Encode(st)
			}
			if err := w.Close(); err != nil {
				return err
			}
			if w, err = newWriter(); err != nil {
				return err
			}
			// Series refs belong to the old head.
			for _, s := range known {
				s.ref = 0
			}
			app = w.Appender(ctx)
			pending = 0
			inBlock = 0
		default:
			return fmt.Errorf("unknown record %q", kind)
		}
	}
}
