/* sw-pktgen: the traffic source and the sink of tests/bench-system.sh.
 *
 *   send IFACE DST_MAC SECONDS       64-byte UDP frames through a packet
 *                                    socket, as fast as one core can;
 *                                    prints how many
 *   xdp-send IFACE DST_MAC SECONDS   the same frames made by the kernel
 *                                    (BPF_PROG_RUN, live frames): ~10x
 *   xdp-drop IFACE                   sink: XDP program that drops all
 *   xdp-pass IFACE                   XDP program that passes all (a
 *                                    redirect target's peer needs one)
 *   xdp-redirect IN_IFACE OUT_IFACE  everything IN receives leaves OUT
 *   xdp-detach IFACE
 *
 * iperf3 tops out far below veth's 64-byte rate, hence the senders.  An
 * XDP drop is the cheapest possible receiver, so the sink never limits
 * what is measured; the veth counts what reached it.  The XDP programs
 * are a few hand-written instructions, so no BPF compiler is needed; they
 * stay attached after this program exits, until xdp-detach. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_AF_XDP
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#endif

enum { FRAME_LEN = 60, BATCH = 64 };

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
    fprintf(stderr,
            "usage: sw-pktgen send|xdp-send IFACE DST_MAC SECONDS\n"
            "       sw-pktgen xdp-drop|xdp-pass|xdp-detach IFACE\n"
            "       sw-pktgen xdp-redirect IN_IFACE OUT_IFACE\n");
    exit(2);
}

static unsigned int
ifindex_or_die(const char *name)
{
    unsigned int ifindex = if_nametoindex(name);
    if (!ifindex) {
        fprintf(stderr, "sw-pktgen: %s: %s\n", name, strerror(errno));
        exit(1);
    }
    return ifindex;
}

static double
now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One's-complement sum of LEN bytes (LEN even), not yet folded. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

/* Ethernet + IPv4 198.18.1.1 -> 198.18.1.2 + UDP 9 -> 9, checksums valid,
 * so that a receiver that looks finds nothing wrong; 60 bytes, i.e. a
 * 64-byte frame once the FCS a wire would add is counted. */
static void
build_frame(uint8_t *f, const uint8_t dst[6], const uint8_t src[6])
{
    uint8_t *ip = f + 14, *udp = ip + 20;
    uint16_t ip_len = FRAME_LEN - 14, udp_len = ip_len - 20;

    memset(f, 0, FRAME_LEN);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, ETHERTYPE_IP);

    ip[0] = 0x45;
    put16(ip + 2, ip_len);
    ip[8] = 64;                         /* TTL */
    ip[9] = IPPROTO_UDP;
    memcpy(ip + 12, (uint8_t[]) { 198, 18, 1, 1 }, 4);
    memcpy(ip + 16, (uint8_t[]) { 198, 18, 1, 2 }, 4);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

    put16(udp, 9);                      /* discard */
    put16(udp + 2, 9);
    put16(udp + 4, udp_len);
    memcpy(udp + 8, "softswitch bench!", 17);
    /* Pseudo-header: addresses, protocol, UDP length. */
    uint32_t sum = csum_add(0, ip + 12, 8) + IPPROTO_UDP + udp_len;
    uint16_t c = csum_fold(csum_add(sum, udp, udp_len));
    put16(udp + 6, c ? c : 0xffff);
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned int b[6];
    char extra;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
               &b[5], &extra) != 6) {
        return -1;
    }
    for (int i = 0; i < 6; i++) {
        if (b[i] > 0xff) {
            return -1;
        }
        mac[i] = b[i];
    }
    return 0;
}

/* Parses SEND's arguments and builds the frame IFACE will send. */
static double
prepare_send(int argc, char *argv[], uint8_t frame[FRAME_LEN])
{
    uint8_t dst[6];
    double seconds;

    if (argc != 5 || parse_mac(argv[3], dst)
        || (seconds = atof(argv[4])) <= 0) {
        usage();
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[2]);
    if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
        fprintf(stderr, "sw-pktgen: %s: %s\n", argv[2], strerror(errno));
        exit(1);
    }
    close(fd);
    build_frame(frame, dst, (uint8_t *) ifr.ifr_hwaddr.sa_data);
    return seconds;
}

static void
print_sent(unsigned long long sent, double elapsed, unsigned long long full)
{
    printf("%llu frames sent in %.3f s (%.3f Mpps, %llu full)\n",
           sent, elapsed, sent / elapsed / 1e6, full);
}

static int
cmd_send(int argc, char *argv[])
{
    uint8_t frame[FRAME_LEN];
    double seconds = prepare_send(argc, argv, frame);

    /* Protocol 0: the socket only sends, so receiving costs nothing. */
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) {
        perror("sw-pktgen: socket");
        return 1;
    }
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_ifindex = ifindex_or_die(argv[2]),
    };
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        perror("sw-pktgen: bind");
        return 1;
    }
    /* Straight to the driver: a qdisc would be most of the cost. */
    int one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one)) {
        perror("sw-pktgen: PACKET_QDISC_BYPASS");
        return 1;
    }

    /* Every message points at the same frame: nothing is built per
     * packet. */
    struct iovec iov = { .iov_base = frame, .iov_len = FRAME_LEN };
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
    }

    unsigned long long sent = 0, errors = 0;
    double start = now_sec(), end = start + seconds, now;
    do {
        int n = sendmmsg(fd, msgs, BATCH, 0);
        if (n > 0) {
            sent += n;
        } else if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
            errors++;           /* The device was full: try again. */
        } else {
            perror("sw-pktgen: sendmmsg");
            return 1;
        }
        now = now_sec();
    } while (now < end);

    print_sent(sent, now - start, errors);
    close(fd);
    return 0;
}

#ifdef HAVE_AF_XDP
static int
load_xdp(const struct bpf_insn *insns, size_t n, const char *name)
{
    static char log[4096];
    LIBBPF_OPTS(bpf_prog_load_opts, opts,
                .log_buf = log, .log_size = sizeof log, .log_level = 1);
    int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, &opts);
    if (fd < 0) {
        fprintf(stderr, "sw-pktgen: loading XDP program: %s\n%s",
                strerror(-fd), log);
        exit(1);
    }
    return fd;
}

/* Native mode only: generic XDP would measure the kernel's fallback
 * instead of the path a switch would really use. */
static int
attach_xdp(const char *iface, int prog_fd)
{
    int err = bpf_xdp_attach(ifindex_or_die(iface), prog_fd,
                             XDP_FLAGS_DRV_MODE, NULL);
    if (err) {
        fprintf(stderr, "sw-pktgen: attaching XDP to %s: %s\n", iface,
                strerror(-err));
        return 1;
    }
    return 0;
}

/* r0 = VERDICT; exit. */
static int
cmd_xdp_verdict(const char *iface, int verdict)
{
    const struct bpf_insn prog[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
          .imm = verdict },
        { .code = BPF_JMP | BPF_EXIT },
    };
    return attach_xdp(iface,
                      load_xdp(prog, sizeof prog / sizeof *prog,
                               verdict == XDP_DROP ? "sw_drop" : "sw_pass"));
}

/* r1 = ifindex(OUT); r2 = 0; r0 = bpf_redirect(r1, r2); exit. */
static int
cmd_xdp_redirect(const char *in, const char *out)
{
    const struct bpf_insn prog[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
          .imm = ifindex_or_die(out) },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2,
          .imm = 0 },
        { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect },
        { .code = BPF_JMP | BPF_EXIT },
    };
    return attach_xdp(in, load_xdp(prog, sizeof prog / sizeof *prog,
                                   "sw_redirect"));
}

/* The kernel sends for us: BPF_PROG_RUN in "live frames" mode runs
 * REDIRECT(IFACE) on copies of the frame, which reach the veth as XDP
 * frames, no socket buffer allocated or copied per packet. */
static int
cmd_xdp_send(int argc, char *argv[])
{
    uint8_t frame[FRAME_LEN];
    double seconds = prepare_send(argc, argv, frame);
    const struct bpf_insn prog[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
          .imm = ifindex_or_die(argv[2]) },
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2,
          .imm = 0 },
        { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect },
        { .code = BPF_JMP | BPF_EXIT },
    };
    int prog_fd = load_xdp(prog, sizeof prog / sizeof *prog, "sw_send");
    enum { CHUNK = 1 << 16 };     /* Frames per call: a few ms. */
    LIBBPF_OPTS(bpf_test_run_opts, opts,
                .data_in = frame, .data_size_in = FRAME_LEN,
                .repeat = CHUNK, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
                .batch_size = BATCH);

    unsigned long long sent = 0;
    double start = now_sec(), end = start + seconds, now;
    do {
        int err = bpf_prog_test_run_opts(prog_fd, &opts);
        if (err) {
            fprintf(stderr, "sw-pktgen: BPF_PROG_RUN: %s\n", strerror(-err));
            return 1;
        }
        sent += CHUNK;
        now = now_sec();
    } while (now < end);
    print_sent(sent, now - start, 0);
    return 0;
}

static int
cmd_xdp_detach(const char *iface)
{
    int err = bpf_xdp_detach(ifindex_or_die(iface), XDP_FLAGS_DRV_MODE,
                             NULL);
    if (err) {
        fprintf(stderr, "sw-pktgen: detaching XDP from %s: %s\n", iface,
                strerror(-err));
        return 1;
    }
    return 0;
}
#endif

int
main(int argc, char *argv[])
{
    if (argc < 3) {
        usage();
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "send")) {
        return cmd_send(argc, argv);
    }
    if (strncmp(cmd, "xdp-", 4)) {
        usage();
    }
#ifdef HAVE_AF_XDP
    if (argc == 3 && !strcmp(cmd, "xdp-drop")) {
        return cmd_xdp_verdict(argv[2], XDP_DROP);
    } else if (argc == 3 && !strcmp(cmd, "xdp-pass")) {
        return cmd_xdp_verdict(argv[2], XDP_PASS);
    } else if (argc == 4 && !strcmp(cmd, "xdp-redirect")) {
        return cmd_xdp_redirect(argv[2], argv[3]);
    } else if (!strcmp(cmd, "xdp-send")) {
        return cmd_xdp_send(argc, argv);
    } else if (argc == 3 && !strcmp(cmd, "xdp-detach")) {
        return cmd_xdp_detach(argv[2]);
    }
    usage();
#else
    /* 77: what the scripts take as "skip". */
    fprintf(stderr, "sw-pktgen: built without libbpf (--disable-afxdp)\n");
    return 77;
#endif
}
