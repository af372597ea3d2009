# gdb's set-up for `make debug`: no questions, and a breakpoint for guests.
# Read with -x before the Makefile's own commands (docs/usage.md).
set confirm off
set pagination off

# gbreak LOCATION: a breakpoint in guest code. Every guest and the
# hypervisor are linked at 1 MiB, so it is a hardware breakpoint (a
# software one would be written into whatever is mapped there) that stops
# only in ring 1, the guests' kernel mode (code segment 0x61; the
# hypervisor's is 0x50).
define gbreak
  hbreak $arg0 if $cs == 0x61
end
document gbreak
Break at LOCATION in guest code only (a hardware breakpoint, ring 1).
Usage: gbreak main
end
