# gdb extension for the lab (vm/debug/gdb.sh sources it after the kernel's vmlinux-gdb.py).
#
# lx-symbols gives add-symbol-file the addresses of a module's .text, .data, .rodata and .bss
# only, so the symbols of .init.text (every module_init function, e.g. my_first_module's init)
# land at wrong addresses. Two fixes:
# - the .init.* and .exit.* sections the module has are passed too (ELF symbols: right);
# - gdb reads a relocatable object's DWARF code addresses relative to .text, whichever section
#   the code is in: for a module whose .text is empty (all its code in init/exit sections, as
#   test.ko) .init.text takes .text's place, so that file:line breakpoints in init are hit and
#   its frames show their source lines. (A module with code in both keeps .text: its init
#   functions get symbols but no source lines; break on their address, e.g. *init_module.)
import re
import subprocess

import gdb

try:
    from linux import symbols
except ImportError:
    symbols = None
    gdb.write("lab-gdb.py: the kernel's gdb scripts are not loaded (vmlinux-gdb.py)\n")

EXTRA = (".init.text", ".init.data", ".init.rodata", ".exit.text")


def _text_size(path):
    """The size of the .text section of an ELF file, None if unknown."""
    try:
        out = subprocess.run(["readelf", "-SW", path], capture_output=True,
                             text=True, check=False).stdout
    except OSError:
        return None
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m and m.group(1) == ".text":
            return int(m.group(2), 16)
    return None


if symbols is not None:
    _orig = symbols.LxSymbols._section_arguments

    def _section_arguments(self, module, module_addr):
        args = _orig(self, module, module_addr)
        try:
            sect_attrs = module["sect_attrs"].dereference()
            attrs = sect_attrs["attrs"]
            count = int(sect_attrs["nsections"])
        except gdb.error:
            return args
        addrs = {}
        for n in range(count):
            name = attrs[n]["battr"]["attr"]["name"].string()
            addrs[name] = str(attrs[n]["address"]).split()[0]
        extra = "".join(" -s {0} {1}".format(name, addrs[name])
                        for name in EXTRA if name in addrs)
        path = self._get_module_file(module["name"].string())
        if ".init.text" in addrs and path and _text_size(path) == 0:
            rest = args.split(None, 1)[1] if len(args.split(None, 1)) > 1 else ""
            args = "{0} {1}".format(addrs[".init.text"], rest)
        return args + extra

    symbols.LxSymbols._section_arguments = _section_arguments
