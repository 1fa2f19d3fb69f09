#!/bin/sh
# Builds the small test appliance the runtime tests boot: Debian trixie minbase
# with systemd, the distribution cloud kernel (QEMU) and sid's UML 7.2 kernel,
# the runtime's own guest files, and a busybox web server whose pages show
# what the runtime passed in (parameters, secrets, volumes, boots).
# Usage: make-test-image.sh REPO_ROOT OUT_DIR   (as root: mmdebstrap)
# OUT_DIR receives rootfs/ (kept as a cache) and layer.tar, the image's one layer.
set -eu
repo=$1 out=$2
mkdir -p "$out"
rootfs=$out/rootfs
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | cut -d' ' -f1)
[ -n "$mirror" ] || mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
if [ ! -f "$rootfs/.complete" ]; then
    rm -rf "$rootfs"
    mmdebstrap --variant=minbase --quiet \
        --include=systemd-sysv,udev,busybox,iproute2,linux-image-cloud-amd64,user-mode-linux/sid \
        --aptopt='APT::Default-Release "trixie";' \
        --aptopt='Acquire::Check-Valid-Until "false";' \
        trixie "$rootfs" "deb $mirror trixie main" "deb $mirror sid main"
    touch "$rootfs/.complete"
fi

work=$out/work
rm -rf "$work"
cp -a "$rootfs" "$work"
rm -f "$work/.complete"
files=$repo/recipes/base/files
install -D -m 0644 "$files/10-appliance.network" "$work/etc/systemd/network/10-appliance.network"
install -D -m 0644 "$files/appliance-cmdline" "$work/usr/lib/appliance/appliance-cmdline"
install -D -m 0755 "$files/appliance-firstboot" "$work/usr/lib/appliance/appliance-firstboot"
install -D -m 0644 "$files/appliance-firstboot.service" "$work/etc/systemd/system/appliance-firstboot.service"
install -D -m 0755 "$files/appliance-data-upgrade" "$work/usr/lib/appliance/appliance-data-upgrade"
install -D -m 0644 "$files/appliance-data-upgrade.service" "$work/etc/systemd/system/appliance-data-upgrade.service"
install -D -m 0644 "$files/ctrl-alt-del.target" "$work/etc/systemd/system/ctrl-alt-del.target"
for v in $(ls "$work/usr/lib/uml/modules"); do ln -sfn "/usr/lib/uml/modules/$v" "$work/lib/modules/$v"; done

install -D -m 0755 /dev/stdin "$work/usr/local/bin/demo-prepare" <<'SH'
#!/bin/sh
# One line per boot in /var/lib/demo (the root disk, or a volume mounted there).
set -eu
mkdir -p /var/lib/demo /srv/www
date +%s >> /var/lib/demo/boots
cp /var/lib/demo/boots /srv/www/boots
cat /run/appliance/params/greeting > /srv/www/greeting 2>/dev/null || true
wc -c < /run/appliance/secrets/token > /srv/www/secret-bytes 2>/dev/null || true
cp /run/appliance/.source /srv/www/config-source 2>/dev/null || true
echo ok > /srv/www/healthz
SH
# GET /cgi-bin/outbound: can the guest reach the URL in the probe_url parameter
# (DNS and NAT through the user-mode network)?
install -D -m 0755 /dev/stdin "$work/srv/www/cgi-bin/outbound" <<'SH'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
url=$(cat /run/appliance/params/probe_url 2>/dev/null || true)
if [ -n "$url" ] && busybox wget -q -T 15 -O /dev/null "$url"; then echo reachable; else echo "unreachable: $url"; fi
SH
install -D -m 0644 /dev/stdin "$work/etc/systemd/system/demo-web.service" <<'UNIT'
[Unit]
Description=Demo web server of the runtime test image
After=appliance-firstboot.service network.target

[Service]
ExecStartPre=/usr/local/bin/demo-prepare
ExecStart=/usr/bin/busybox httpd -f -p 80 -h /srv/www

[Install]
WantedBy=multi-user.target
UNIT
chroot "$work" systemctl enable systemd-networkd.service appliance-firstboot.service appliance-data-upgrade.service demo-web.service >/dev/null 2>&1
chroot "$work" systemctl mask getty@tty1.service serial-getty@ttyS0.service >/dev/null 2>&1 || true
echo appliance-test > "$work/etc/hostname"

rm -f "$out/layer.tar.tmp"
tar --numeric-owner --xattrs --xattrs-include='*' --sort=name -C "$work" -cf "$out/layer.tar.tmp" .
mv "$out/layer.tar.tmp" "$out/layer.tar"
rm -rf "$work"
