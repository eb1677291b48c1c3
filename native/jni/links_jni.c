/* Native.links: the interfaces of a namespace as one text line each. Text rather than Java objects built here: the
 * listing is rare (startup, `podcap ifaces`), and one parser on the Java side (io.podcap.ns.NetInterface) is the only
 * place that knows the fields. */
#include <arpa/inet.h>
#include <jni.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jni_util.h"
#include "links.h"
#include "ns.h"

/* Far more than a line needs: 32 IPv6 addresses at about 60 bytes each, plus the other fields. */
#define LINE_MAX_LEN 4096

static jclass string_class;

struct line {
    char text[LINE_MAX_LEN];
    size_t len;
    int overflow;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...) {
    if (l->overflow) return;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(l->text + l->len, sizeof l->text - l->len, fmt, args);
    va_end(args);
    if (n < 0 || (size_t)n >= sizeof l->text - l->len) l->overflow = 1;
    else l->len += (size_t)n;
}

/* Interface names are bytes, not necessarily UTF-8, and NewStringUTF must only see valid (modified) UTF-8; a tab would
 * also split the fields. So anything outside printable ASCII, and the backslash itself, goes as \xHH. */
static void put_escaped(struct line *l, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p > 0x20 && *p < 0x7f && *p != '\\') put(l, "%c", *p);
        else put(l, "\\x%02x", *p);
    }
}

static void format_link(struct line *l, const pc_link *k) {
    put(l, "%d\t%d\t%d\t%d\t%u\t%d\t%d\t", k->ifindex, k->iflink, k->link_netnsid, k->master, k->flags, k->mtu,
        k->operstate);
    put_escaped(l, k->name);
    put(l, "\t");
    put_escaped(l, k->kind);
    put(l, "\t");
    for (int i = 0; i < k->mac_len; i++) put(l, i == 0 ? "%02x" : ":%02x", k->mac[i]);
    put(l, "\t%llu\t%llu\t", k->rx_packets, k->rx_dropped);
    for (int i = 0; i < k->addr_count; i++) {
        const pc_addr *a = &k->addrs[i];
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(a->family, a->bytes, text, sizeof text) == NULL) continue;
        put(l, "%s%s/%s/%d/%d", i == 0 ? "" : ",", a->family == AF_INET6 ? "inet6" : "inet", text, a->prefixlen,
            a->scope);
    }
    put(l, "\t%d", k->addr_total);
}

static jobjectArray to_java(JNIEnv *env, const pc_link *links, int count) {
    jobjectArray out = (*env)->NewObjectArray(env, count, string_class, NULL);
    for (int i = 0; out != NULL && i < count; i++) {
        struct line l = {.len = 0};
        format_link(&l, &links[i]);
        if (l.overflow) {
            pc_error err;
            pc_fail(&err, PC_ERR_SYSTEM, 0, "the description of interface %d exceeds %d bytes", links[i].ifindex,
                    LINE_MAX_LEN);
            throw_error(env, &err);
            return NULL;
        }
        jstring s = (*env)->NewStringUTF(env, l.text);
        if (s == NULL) return NULL; /* OutOfMemoryError pending */
        (*env)->SetObjectArrayElement(env, out, i, s);
        (*env)->DeleteLocalRef(env, s);
    }
    return out;
}

static jobjectArray links(JNIEnv *env, jclass cls, jstring ns_path, jstring ns_label) {
    (void)cls;
    const char *path = ns_path != NULL ? (*env)->GetStringUTFChars(env, ns_path, NULL) : NULL;
    const char *label = ns_label != NULL ? (*env)->GetStringUTFChars(env, ns_label, NULL) : NULL;
    jobjectArray out = NULL;
    if ((ns_path != NULL && path == NULL) || (ns_label != NULL && label == NULL)) goto done; /* OOM pending */

    pc_error err = {0};
    int fd = -1;
    if (path != NULL && (fd = pc_ns_open(path, &err)) < 0) {
        throw_error(env, &err);
        goto done;
    }
    pc_link *list;
    int count;
    int rc = pc_links_list(fd, label != NULL ? label : path, &list, &count, &err);
    if (fd >= 0) close(fd);
    if (rc != 0) {
        throw_error(env, &err);
        goto done;
    }
    out = to_java(env, list, count);
    pc_links_free(list);
done:
    if (path != NULL) (*env)->ReleaseStringUTFChars(env, ns_path, path);
    if (label != NULL) (*env)->ReleaseStringUTFChars(env, ns_label, label);
    return out;
}

static const JNINativeMethod methods[] = {
    {"links", "(Ljava/lang/String;Ljava/lang/String;)[Ljava/lang/String;", (void *)links},
};

int pc_links_jni_register(JNIEnv *env, jclass natives) {
    jclass local = (*env)->FindClass(env, "java/lang/String");
    if (local == NULL) return -1;
    string_class = (*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    if (string_class == NULL) return -1;
    return (*env)->RegisterNatives(env, natives, methods, (jint)(sizeof methods / sizeof methods[0])) != 0 ? -1 : 0;
}
