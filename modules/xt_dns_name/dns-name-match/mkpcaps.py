#!/usr/bin/env python3
"""Write the pcap files that tests/host/dns-name-match.sh checks.

usage: mkpcaps.py OUTDIR

For every link type it writes OUTDIR/<name>.pcap with the same packet list,
plus <name>.expect and <name>.expect-inv: the lines dns-name-match must
print for "--domain example.com" and "! --domain example.com". snap.pcap
holds frames a snaplen cut short (with snap.expect, snap.expect-inv);
rev1.pcap the cases of "--domain-suffix example.com --qtype A,AAAA". It
also writes broken files (bad-*.pcap) whose handling the shell test asserts.
"""
import os
import struct
import sys

DNS_NAME = b"\x07example\x03com\x00"


def qname(text):
    return b"".join(bytes([len(l)]) + l.encode("latin-1")
                    for l in text.split(".")) + b"\x00"


def dns(name=DNS_NAME, flags=0x0100, qd=1, tail=b"\x00\x01\x00\x01"):
    return struct.pack("!HHHHHH", 0x1234, flags, qd, 0, 0, 0) + name + tail


def udp(payload, dport=53, ulen=None):
    if ulen is None:
        ulen = 8 + len(payload)
    return struct.pack("!HHHH", 40000, dport, ulen, 0) + payload


def tcp(payload, dport=53, flags=0x18, doff=5):
    """A TCP segment; a DNS message over TCP is its 2-byte length first."""
    opts = b"\x01" * (4 * doff - 20)
    return struct.pack("!HHIIBBHHH", 40000, dport, 1, 0, doff << 4, flags,
                       4096, 0, 0) + opts + payload


def dns_tcp(msg, length=None):
    return struct.pack("!H", len(msg) if length is None else length) + msg


def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(l4, proto=17, options=b"", frag=0, tot_len=None):
    ihl = 5 + len(options) // 4
    if tot_len is None:
        tot_len = ihl * 4 + len(l4)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot_len, 1, frag, 64,
                      proto, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    hdr += options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def ipv6(l4, exts=(), nh=17):
    """exts: list of (type, body) with body already padded; chained."""
    chain = b""
    types = [t for t, _ in exts] + [nh]
    for i, (t, body) in enumerate(exts):
        chain += bytes([types[i + 1]]) + body
    payload = chain + l4
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload),
                       types[0], 64, b"\x00" * 15 + b"\x01",
                       b"\x00" * 15 + b"\x01") + payload


def opt_ext(extra_units=0):
    # next-header byte is prepended; here: hdr ext len + PadN padding
    body = bytes([extra_units]) + b"\x01" + bytes([4 + 8 * extra_units])
    return body + b"\x00" * (4 + 8 * extra_units)


def frag_ext(offset_units, more):
    return b"\x00" + struct.pack("!HI", (offset_units << 3) | more, 7)


def ah_ext():
    # payload len 4 -> (4 + 2) * 4 = 24 bytes; SPI, seq, 12-byte ICV
    return bytes([4]) + b"\x00\x00" + struct.pack("!II", 1, 1) + b"\xaa" * 12


def routing_ext():
    # type 0 style, 0 segments: hdr ext len 0 -> 8 bytes
    return b"\x00\x00\x00" + b"\x00" * 4


# (description, ethertype, network packet, plain, inverted)
V4, V6 = 0x0800, 0x86DD
Q = dns()
PACKETS = [
    ("v4 query", V4, ipv4(udp(Q)), 1, 0),
    ("v4 subdomain", V4, ipv4(udp(dns(qname("www.example.com")))), 0, 1),
    ("v4 superstring", V4, ipv4(udp(dns(qname("notexample.com")))), 0, 1),
    ("v4 upper case", V4, ipv4(udp(dns(qname("EXAMPLE.COM")))), 1, 0),
    ("v4 response", V4, ipv4(udp(dns(flags=0x8180))), 0, 0),
    ("v4 opcode NOTIFY", V4, ipv4(udp(dns(flags=0x2000))), 0, 0),
    ("v4 options", V4, ipv4(udp(Q), options=b"\x07\x07\x04" + b"\x00" * 4
                            + b"\x01\x01\x01\x01\x00"), 1, 0),
    ("v4 first fragment", V4, ipv4(udp(Q), frag=0x2000), 1, 0),
    ("v4 later fragment", V4, ipv4(udp(Q), frag=0x0003), 0, 0),
    ("v4 port 5353", V4, ipv4(udp(Q, dport=5353)), 0, 0),
    ("v4 TCP port 53", V4, ipv4(udp(Q), proto=6), 0, 0),
    ("v4 compression pointer", V4, ipv4(udp(dns(b"\xc0\x0c"))), 0, 1),
    ("v4 UDP length hides QCLASS", V4, ipv4(udp(Q, ulen=8 + len(Q) - 2)),
     0, 1),
    ("v4 IP length hides QCLASS (rest in padding)", V4,
     ipv4(udp(Q), tot_len=20 + 8 + len(Q) - 2), 0, 1),
    ("v4 QDCOUNT 2, second matches", V4,
     ipv4(udp(dns(qname("a.org") + b"\x00\x01\x00\x01" + DNS_NAME, qd=2))),
     1, 0),
    ("v6 query", V6, ipv6(udp(Q)), 1, 0),
    ("v6 subdomain", V6, ipv6(udp(dns(qname("www.example.com")))), 0, 1),
    ("v6 hop-by-hop, routing, dest options", V6,
     ipv6(udp(Q), exts=[(0, opt_ext()), (43, routing_ext()),
                        (60, opt_ext(1))]), 1, 0),
    ("v6 first fragment", V6, ipv6(udp(Q), exts=[(44, frag_ext(0, 1))]),
     1, 0),
    ("v6 later fragment", V6, ipv6(udp(Q), exts=[(44, frag_ext(2, 0))]),
     0, 0),
    ("v6 AH", V6, ipv6(udp(Q), exts=[(51, ah_ext())]), 1, 0),
    ("v6 reserved label type", V6, ipv6(udp(dns(b"\x47example\x00"))), 0, 1),
    ("v4 TCP query", V4, ipv4(tcp(dns_tcp(Q)), proto=6), 1, 0),
    ("v4 TCP query with options", V4, ipv4(tcp(dns_tcp(Q), doff=8), proto=6),
     1, 0),
    ("v4 TCP subdomain", V4,
     ipv4(tcp(dns_tcp(dns(qname("www.example.com")))), proto=6), 0, 1),
    ("v4 TCP SYN to port 53", V4, ipv4(tcp(b"", flags=0x02), proto=6), 0, 0),
    ("v4 TCP to port 5353", V4, ipv4(tcp(dns_tcp(Q), dport=5353), proto=6),
     0, 0),
    ("v4 TCP segment holds only part of the question", V4,
     ipv4(tcp(dns_tcp(Q)[:20]), proto=6), 0, 0),
    ("v4 TCP message longer than the segment, question inside", V4,
     ipv4(tcp(dns_tcp(Q, 300)), proto=6), 1, 0),
    ("v6 TCP query after extension headers", V6,
     ipv6(tcp(dns_tcp(Q)), exts=[(0, opt_ext()), (60, opt_ext())], nh=6),
     1, 0),
    ("v6 TCP later fragment", V6,
     ipv6(tcp(dns_tcp(Q)), exts=[(44, frag_ext(2, 0))], nh=6), 0, 0),
    ("v6 truncated ext header", V6, ipv6(b"", exts=[(0, b"\x05")])[:42],
     0, 0),
    ("ARP", 0x0806, b"\x00\x01" + b"\x00" * 26, 0, 0),
]

# Revision 1: "--domain-suffix example.com --qtype A,AAAA" (rev1.expect),
# plain and inverted.
def q(name, qtype=1):
    return dns(qname(name), tail=struct.pack("!HH", qtype, 1))


REV1 = [
    ("example.com A", V4, ipv4(udp(q("example.com"))), 1, 0),
    ("www.example.com AAAA", V4, ipv4(udp(q("www.example.com", 28))), 1, 0),
    ("www.example.com MX", V4, ipv4(udp(q("www.example.com", 15))), 0, 1),
    ("notexample.com A", V4, ipv4(udp(q("notexample.com"))), 0, 1),
    ("com A", V4, ipv4(udp(q("com"))), 0, 1),
    ("a.b.Example.COM A over TCP", V6,
     ipv6(tcp(dns_tcp(q("a.b.Example.COM"))), nh=6), 1, 0),
    ("response", V4, ipv4(udp(dns(flags=0x8180))), 0, 0),
    ("TCP segment without the question", V4,
     ipv4(tcp(dns_tcp(q("www.example.com"))[:18]), proto=6), 0, 0),
    ("255-octet name below example.com, AAAA", V4,
     ipv4(udp(q(".".join(["x" * 63, "y" * 63, "z" * 63, "w" * 49,
                          "example", "com"]), 28))), 1, 0),
]

MAC = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"


def frame(link, etype, pkt):
    if link == "eth":
        f = MAC + struct.pack("!H", etype) + pkt
        return f + b"\x00" * max(0, 60 - len(f))   # Ethernet padding
    if link == "vlan":
        return MAC + struct.pack("!HHHHH", 0x88A8, 100, 0x8100, 200,
                                 etype) + pkt
    if link == "sll":
        return struct.pack("!HHH8sH", 4, 772, 6, b"\x00" * 8, etype) + pkt
    if link == "sll2":
        return struct.pack("!HHIHBB8s", etype, 0, 1, 772, 4, 6,
                           b"\x00" * 8) + pkt
    return pkt   # raw IP; non-IP packets get skipped by the caller


# name, link, linktype, byte order, nanosecond magic
FILES = [
    ("eth", "eth", 1, "<", False),
    ("vlan", "vlan", 1, ">", True),
    ("raw12", "raw", 12, "<", False),
    ("raw14", "raw", 14, ">", False),
    ("raw101", "raw", 101, ">", True),
    ("sll", "sll", 113, "<", True),
    ("sll2", "sll2", 276, ">", False),
]


def pcap(order, nano, linktype, frames, snaplen=65535, cuts=None):
    """cuts: per frame, the bytes the capture kept (None: all)."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen,
                      linktype)
    for i, f in enumerate(frames):
        kept = f[:cuts[i]] if cuts and cuts[i] is not None else f
        out += struct.pack(order + "IIII", 1700000000 + i, i, len(kept),
                           len(f)) + kept
    return out


ETH, IP4, UDP_HDR, DNS_HDR = 14, 20, 8, 12
EDNS = b"\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00"
# (description, ethertype, packet, bytes of the frame kept, plain, inverted)
SNAPPED = [
    ("v4 query cut in the question", V4, ipv4(udp(Q)),
     ETH + IP4 + UDP_HDR + DNS_HDR + 5, "truncated", "truncated"),
    ("v4 query cut in QCLASS", V4, ipv4(udp(Q)),
     ETH + IP4 + UDP_HDR + len(Q) - 1, "truncated", "truncated"),
    ("v4 query cut after the question (EDNS lost)", V4,
     ipv4(udp(dns(flags=0x0100) + EDNS)),
     ETH + IP4 + UDP_HDR + len(Q), "match", "no-match"),
    ("v4 subdomain cut after the question", V4,
     ipv4(udp(dns(qname("www.example.com")) + EDNS)),
     ETH + IP4 + UDP_HDR + DNS_HDR + 17 + 4, "no-match", "match"),
    ("v4 query cut in the DNS header", V4, ipv4(udp(Q)),
     ETH + IP4 + UDP_HDR + 6, "truncated", "truncated"),
    ("v4 query cut in the UDP header", V4, ipv4(udp(Q)),
     ETH + IP4 + 4, "truncated", "truncated"),
    ("v4 query cut in the IP header", V4, ipv4(udp(Q)), ETH + 10,
     "truncated", "truncated"),
    ("v4 port 5353 cut in the DNS header", V4, ipv4(udp(Q, dport=5353)),
     ETH + IP4 + UDP_HDR + 2, "no-match", "no-match"),
    ("v4 response cut in the question", V4, ipv4(udp(dns(flags=0x8180))),
     ETH + IP4 + UDP_HDR + DNS_HDR + 2, "no-match", "no-match"),
    ("v4 compression pointer, cut after it", V4,
     ipv4(udp(dns(b"\xc0\x0c"))), ETH + IP4 + UDP_HDR + DNS_HDR + 2,
     "no-match", "match"),
    ("v4 TCP cut in its header", V4, ipv4(udp(Q), proto=6), ETH + IP4 + 4,
     "truncated", "truncated"),
    ("v4 ICMP cut", V4, ipv4(udp(Q), proto=1), ETH + IP4 + 4,
     "no-match", "no-match"),
    ("v6 query cut in the extension headers", V6,
     ipv6(udp(Q), exts=[(0, opt_ext()), (43, routing_ext())]),
     ETH + 40 + 8 + 3, "truncated", "truncated"),
    ("v6 query cut in the question", V6, ipv6(udp(Q)),
     ETH + 40 + UDP_HDR + DNS_HDR + 3, "truncated", "truncated"),
    ("v6 later fragment cut", V6, ipv6(udp(Q), exts=[(44, frag_ext(2, 0))]),
     ETH + 40 + 8 + 4, "no-match", "no-match"),
    ("ARP cut", 0x0806, b"\x00\x01" + b"\x00" * 26, ETH + 4,
     "no-match", "no-match"),
    ("v4 query, not cut", V4, ipv4(udp(Q)), None, "match", "no-match"),
]


def write(path, data):
    with open(path, "wb") as fh:
        fh.write(data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, link, linktype, order, nano in FILES:
        pkts = [p for p in PACKETS if link != "raw" or p[1] in (V4, V6)]
        frames = [frame(link, p[1], p[2]) for p in pkts]
        write(os.path.join(out, name + ".pcap"),
              pcap(order, nano, linktype, frames))
        for suffix, col in (("expect", 3), ("expect-inv", 4)):
            with open(os.path.join(out, name + "." + suffix), "w") as fh:
                for i, p in enumerate(pkts, 1):
                    fh.write("%d %s\n" % (i, "match" if p[col] else
                                          "no-match"))
        with open(os.path.join(out, name + ".desc"), "w") as fh:
            for i, p in enumerate(pkts, 1):
                fh.write("%d %s\n" % (i, p[0]))

    frames = [frame("eth", p[1], p[2]) for p in SNAPPED]
    write(os.path.join(out, "snap.pcap"),
          pcap("<", False, 1, frames, snaplen=96,
               cuts=[p[3] for p in SNAPPED]))
    for suffix, col in (("expect", 4), ("expect-inv", 5)):
        with open(os.path.join(out, "snap." + suffix), "w") as fh:
            for i, p in enumerate(SNAPPED, 1):
                fh.write("%d %s\n" % (i, p[col]))
    with open(os.path.join(out, "snap.desc"), "w") as fh:
        for i, p in enumerate(SNAPPED, 1):
            fh.write("%d %s\n" % (i, p[0]))

    write(os.path.join(out, "rev1.pcap"),
          pcap("<", False, 1, [frame("eth", p[1], p[2]) for p in REV1]))
    for suffix, col in (("expect", 3), ("expect-inv", 4)):
        with open(os.path.join(out, "rev1." + suffix), "w") as fh:
            for i, p in enumerate(REV1, 1):
                fh.write("%d %s\n" % (i, "match" if p[col] else "no-match"))
    with open(os.path.join(out, "rev1.desc"), "w") as fh:
        for i, p in enumerate(REV1, 1):
            fh.write("%d %s\n" % (i, p[0]))

    good = pcap("<", False, 1, [frame("eth", V4, PACKETS[0][2])] * 3)
    write(os.path.join(out, "bad-text.pcap"), b"this is not a capture\n")
    write(os.path.join(out, "bad-empty.pcap"), b"")
    write(os.path.join(out, "bad-pcapng.pcap"),
          struct.pack("<III", 0x0A0D0D0A, 28, 0x1A2B3C4D) + b"\x00" * 16)
    write(os.path.join(out, "bad-short-header.pcap"), good[:10])
    write(os.path.join(out, "bad-cut-data.pcap"), good[:-5])
    rec = (len(good) - 24) // 3
    write(os.path.join(out, "bad-cut-record-header.pcap"),
          good[:24 + 2 * rec + 7])
    write(os.path.join(out, "bad-linktype.pcap"),
          pcap("<", False, 105, [b"\x00" * 30]))


if __name__ == "__main__":
    main()
