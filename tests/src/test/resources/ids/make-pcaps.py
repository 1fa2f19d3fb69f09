#!/usr/bin/python3
"""Writes the IDS tests' traffic as a pcap (scapy, Debian's python3-scapy):

  attacks  198.51.100.7 -> 192.168.50.10:80  GET /?appliance-ids-test   (sid 1000001)
           198.51.100.8 -> 192.168.50.10:80  a shellshock User-Agent     (sid 1000002)
           198.51.100.9 -> 192.168.50.10      three ICMP echo requests    (sid 1000003)
  benign   203.0.113.5  -> 192.168.50.10:80  GET /index.html, a DNS query, nothing that matches

Usage: make-pcaps.py OUT.pcap. Whole TCP sessions (handshake, request, response, close), so
rules with flow:established match as they would on a mirror port.
"""
import sys

from scapy.all import DNS, DNSQR, ICMP, IP, TCP, UDP, Ether, wrpcap

SERVER = "192.168.50.10"
CLIENT_MAC, SERVER_MAC = "02:00:5e:00:00:07", "02:00:5e:00:00:10"
packets = []
clock = [1_700_000_000.0]


def add(packet, gap=0.002):
    clock[0] += gap
    packet.time = clock[0]
    packets.append(packet)


def both(src, dst):
    to_server = lambda: Ether(src=CLIENT_MAC, dst=SERVER_MAC) / IP(src=src, dst=dst)
    to_client = lambda: Ether(src=SERVER_MAC, dst=CLIENT_MAC) / IP(src=dst, dst=src)
    return to_server, to_client


def http_session(client, sport, request):
    up, down = both(client, SERVER)
    c, s = 1000, 5000
    add(up() / TCP(sport=sport, dport=80, flags="S", seq=c))
    add(down() / TCP(sport=80, dport=sport, flags="SA", seq=s, ack=c + 1))
    c, s = c + 1, s + 1
    add(up() / TCP(sport=sport, dport=80, flags="A", seq=c, ack=s))
    add(up() / TCP(sport=sport, dport=80, flags="PA", seq=c, ack=s) / request)
    c += len(request)
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
    add(down() / TCP(sport=80, dport=sport, flags="A", seq=s, ack=c))
    add(down() / TCP(sport=80, dport=sport, flags="PA", seq=s, ack=c) / response)
    s += len(response)
    add(up() / TCP(sport=sport, dport=80, flags="A", seq=c, ack=s))
    add(up() / TCP(sport=sport, dport=80, flags="FA", seq=c, ack=s))
    add(down() / TCP(sport=80, dport=sport, flags="FA", seq=s, ack=c + 1))
    add(up() / TCP(sport=sport, dport=80, flags="A", seq=c + 1, ack=s + 1))


def get(path, *headers):
    lines = ["GET %s HTTP/1.1" % path, "Host: " + SERVER] + list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


http_session("203.0.113.5", 40001, get("/index.html", "User-Agent: e2e-benign"))
up, down = both("203.0.113.5", "192.168.50.53")
add(up() / UDP(sport=40002, dport=53) / DNS(rd=1, qd=DNSQR(qname="example.org")))
http_session("198.51.100.7", 40003, get("/?appliance-ids-test"))
http_session("198.51.100.8", 40004,
             get("/cgi-bin/status", "User-Agent: () { :; }; /bin/cat /etc/passwd"))
for i in range(3):
    up, _ = both("198.51.100.9", SERVER)
    add(up() / ICMP(type=8, id=7, seq=i) / b"e2e-ping", gap=0.2)
wrpcap(sys.argv[1], packets)
