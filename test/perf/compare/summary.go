package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// spread is the median, lowest and highest of a figure over the runs.
type spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func spreadOf(v []float64) spread {
	if len(v) == 0 {
		return spread{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return spread{Median: m, Min: s[0], Max: s[len(s)-1]}
}

// summary is one daemon's figures over the runs, and their ratios to ze's medians.
type summary struct {
	Speaker  string `json:"speaker"`
	Runs     int    `json:"runs-ok"`
	Failed   int    `json:"runs-failed"`
	Prefixes []int  `json:"prefixes"`
	Seconds  spread `json:"seconds"`
	CPU      spread `json:"cpu-seconds"`
	PeakMiB  spread `json:"peak-rss-mib"`
	IdleMiB  spread `json:"idle-rss-mib"`
	// Ratios to ze's medians (0 when ze has no figure).
	TimeRatio float64 `json:"time-ratio-to-ze"`
	CPURatio  float64 `json:"cpu-ratio-to-ze"`
	RSSRatio  float64 `json:"peak-rss-ratio-to-ze"`
	Keeps     string  `json:"keeps"`
}

func summarize(runs []tableResult, sps []speaker) []summary {
	var out []summary
	for _, sp := range sps {
		s := summary{Speaker: sp.name, Keeps: sp.keeps}
		var secs, cpu, peak, idle []float64
		for _, r := range runs {
			if r.Speaker != sp.name {
				continue
			}
			if r.Error != "" {
				s.Failed++
				continue
			}
			s.Runs++
			if !slices.Contains(s.Prefixes, r.Prefixes) {
				s.Prefixes = append(s.Prefixes, r.Prefixes)
			}
			secs = append(secs, r.Seconds)
			cpu = append(cpu, r.CPU)
			peak = append(peak, float64(r.PeakKiB)/1024)
			idle = append(idle, float64(r.IdleRSSKiB)/1024)
		}
		s.Seconds, s.CPU, s.PeakMiB, s.IdleMiB = spreadOf(secs), spreadOf(cpu), spreadOf(peak), spreadOf(idle)
		out = append(out, s)
	}
	i := slices.IndexFunc(out, func(s summary) bool { return s.Speaker == "ze" })
	if i < 0 || out[i].Runs == 0 {
		return out
	}
	ze := out[i]
	for j := range out {
		if out[j].Runs == 0 {
			continue
		}
		out[j].TimeRatio = ratio(out[j].Seconds.Median, ze.Seconds.Median)
		out[j].CPURatio = ratio(out[j].CPU.Median, ze.CPU.Median)
		out[j].RSSRatio = ratio(out[j].PeakMiB.Median, ze.PeakMiB.Median)
	}
	return out
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func printSummary(w io.Writer, sums []summary, _ []speaker) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "speaker\truns\tprefixes\ttime s (median, min–max)\tCPU s\tpeak RSS MiB\tidle RSS MiB\ttime ×ze\tCPU ×ze\tpeak RSS ×ze")
	for _, s := range sums {
		if s.Runs == 0 {
			fmt.Fprintf(tw, "%s\t0 of %d\t\t\t\t\t\t\t\t\n", s.Speaker, s.Failed)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d of %d\t%v\t%.2f (%.2f–%.2f)\t%.2f (%.2f–%.2f)\t%.0f (%.0f–%.0f)\t%.0f\t%.2f×\t%.2f×\t%.2f×\n",
			s.Speaker, s.Runs, s.Runs+s.Failed, s.Prefixes,
			s.Seconds.Median, s.Seconds.Min, s.Seconds.Max,
			s.CPU.Median, s.CPU.Min, s.CPU.Max,
			s.PeakMiB.Median, s.PeakMiB.Min, s.PeakMiB.Max, s.IdleMiB.Median,
			s.TimeRatio, s.CPURatio, s.RSSRatio)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	for _, s := range sums {
		fmt.Fprintf(w, "%s: %s\n", s.Speaker, s.Keeps)
	}
}

// printSessions writes the sessions figures with their ratios to ze's.
func printSessions(w io.Writer, rs []sessionsResult) {
	var ze *sessionsResult
	for i := range rs {
		if rs[i].Speaker == "ze" && rs[i].Error == "" {
			ze = &rs[i]
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "speaker\tsessions up\testablish s\testablish CPU s\thold CPU s\tRSS at end MiB\testablish ×ze\thold CPU ×ze\tRSS ×ze")
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\tfailed\t\t\t\t\t\t\t\n", r.Speaker)
			continue
		}
		var te, tc, tr float64
		if ze != nil {
			te, tc, tr = ratio(r.EstablishS, ze.EstablishS), ratio(r.HoldCPU, ze.HoldCPU), ratio(float64(r.RSSKiB), float64(ze.RSSKiB))
		}
		fmt.Fprintf(tw, "%s\t%d of %d\t%.2f\t%.2f\t%.2f in %.0f s\t%.0f\t%.2f×\t%.2f×\t%.2f×\n",
			r.Speaker, r.Up, r.Sessions, r.EstablishS, r.EstablishCPU, r.HoldCPU, r.HeldS, float64(r.RSSKiB)/1024, te, tc, tr)
	}
	_ = tw.Flush()
}
