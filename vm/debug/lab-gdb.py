# gdb extension for the lab (vm/debug/gdb.sh sources it after the kernel's vmlinux-gdb.py).
# lx-symbols gives add-symbol-file the addresses of a module's .text, .data, .rodata and
# .bss only: a function in .init.text (every module_init function, e.g. my_first_module's
# init) would get a wrong address, and a breakpoint on it would never be hit. Add the
# .init.* and .exit.* sections the module has.
import gdb

try:
    from linux import symbols
except ImportError:
    symbols = None
    gdb.write("lab-gdb.py: the kernel's gdb scripts are not loaded (vmlinux-gdb.py)\n")

EXTRA = (".init.text", ".init.data", ".init.rodata", ".exit.text")

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
        for n in range(count):
            name = attrs[n]["battr"]["attr"]["name"].string()
            if name in EXTRA:
                args += " -s {0} {1}".format(name, str(attrs[n]["address"]))
        return args

    symbols.LxSymbols._section_arguments = _section_arguments
