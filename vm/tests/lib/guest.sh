# shellcheck shell=bash
# Helpers only guest tests need (source it after tap.sh): where the lab's artifacts are in the
# guest, and the kernel log since a mark.

# vm/image/inject.sh puts the lab's modules, plugin, tests and exercises here.
LAB_DIR=${LAB_DIR:-/root/lab}
# Where the guest's iptables finds its own extensions (Debian's multiarch path).
# shellcheck disable=SC2034 # for the tests that source this
XTABLES_SYSTEM_DIR=/usr/lib/x86_64-linux-gnu/xtables

# kmsg_mark: put a unique line into the kernel log; kmsg_since prints the log from there on.
kmsg_mark() {
	klab_mark="kernel-lab mark $RANDOM$RANDOM"
	echo "$klab_mark" >/dev/kmsg
}

kmsg_since() {
	dmesg | sed -n "/$klab_mark/,\$p"
}

# http_serve PORT: a web server (busybox httpd, page "hello") on 127.0.0.1:PORT with the
# loopback up, ready when this returns; its PID in http_server_pid (the caller's trap kills it).
http_serve() {
	local www
	ip link set lo up
	www=$(mktemp -d)
	echo hello >"$www/index.html"
	busybox httpd -f -p "127.0.0.1:$1" -h "$www" &
	# shellcheck disable=SC2034 # for the caller
	http_server_pid=$!
	for _ in $(seq 50); do (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null && break; sleep 0.1; done
}
