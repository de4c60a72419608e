package testutil

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat
// (100 on every Linux architecture Go supports).
const clockTicks = 100

// Memory is a process's resident set now and its peak (VmRSS and VmHWM of
// /proc/PID/status), in bytes.
type Memory struct{ RSS, Peak int64 }

// ReadMemory reads /proc/PID/status.
func ReadMemory(pid int) (Memory, error) {
	raw, err := os.ReadFile(procFile(pid, "status"))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			m.RSS = kb << 10
		case "VmHWM:":
			m.Peak = kb << 10
		}
	}
	return m, nil
}

// ProcStat is a sample of a process's CPU time and memory.
type ProcStat struct {
	Memory
	CPU   time.Duration // utime + stime
	Taken time.Time
}

// ReadProc reads /proc/PID/stat and /proc/PID/status.
func ReadProc(pid int) (ProcStat, error) {
	st := ProcStat{Taken: time.Now()}
	b, err := os.ReadFile(procFile(pid, "stat"))
	if err != nil {
		return st, err
	}
	// The command name (field 2) may contain spaces: fields after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return st, errors.New("malformed stat")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	if len(f) < 13 {
		return st, errors.New("short stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	stt, _ := strconv.ParseInt(f[12], 10, 64)
	st.CPU = time.Duration(ut+stt) * time.Second / clockTicks
	st.Memory, err = ReadMemory(pid)
	return st, err
}

func procFile(pid int, name string) string {
	return filepath.Join("/proc", strconv.Itoa(pid), name)
}
