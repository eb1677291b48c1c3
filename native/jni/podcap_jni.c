/* The only file that knows about the JVM. Natives are registered in JNI_OnLoad (no javah names, nothing exported
 * but JNI_OnLoad), every pc_error becomes a Java exception, and nothing here is called per packet. */
#include <jni.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "error.h"
#include "jni_util.h"
#include "ring.h"
#include "seqgen.h"
#include "wake.h"

#define NATIVE_CLASS "io/podcap/capture/Native"

static jclass illegal_argument;
static jclass capture_exception;
static jclass permission_exception;
static jmethodID capture_exception_init;
static jmethodID permission_exception_init;

void throw_error(JNIEnv *env, const pc_error *err) {
    jstring message = (*env)->NewStringUTF(env, err->message);
    if (message == NULL) return; /* OutOfMemoryError pending */
    jobject ex;
    switch (err->kind) {
    case PC_ERR_ARGUMENT:
        (*env)->ThrowNew(env, illegal_argument, err->message);
        return;
    case PC_ERR_PERMISSION:
        ex = (*env)->NewObject(env, permission_exception, permission_exception_init, message, err->errnum);
        break;
    default:
        ex = (*env)->NewObject(env, capture_exception, capture_exception_init, message, err->errnum);
        break;
    }
    if (ex != NULL) (*env)->Throw(env, ex);
}

static void throw_message(JNIEnv *env, int kind, const char *message) {
    pc_error err = {.kind = kind};
    snprintf(err.message, sizeof err.message, "%s", message);
    throw_error(env, &err);
}

/* A Java string as a malloc'd C string (NULL for null). Sets *failed when the JVM could not provide it. */
static char *c_string(JNIEnv *env, jstring s, int *failed) {
    if (s == NULL) return NULL;
    const char *utf = (*env)->GetStringUTFChars(env, s, NULL);
    if (utf == NULL) {
        *failed = 1;
        return NULL;
    }
    char *copy = strdup(utf);
    (*env)->ReleaseStringUTFChars(env, s, utf);
    return copy;
}

static int ring_of(JNIEnv *env, jobject buffer, pc_ring *ring) {
    void *memory = (*env)->GetDirectBufferAddress(env, buffer);
    jlong length = (*env)->GetDirectBufferCapacity(env, buffer);
    pc_error err;
    if (memory == NULL || length < 0) {
        throw_message(env, PC_ERR_ARGUMENT, "the ring must be a direct ByteBuffer");
        return -1;
    }
    if (pc_ring_attach(ring, memory, length, &err) != 0) {
        throw_error(env, &err);
        return -1;
    }
    return 0;
}

static jlongArray ring_layout(JNIEnv *env, jclass cls) {
    (void)cls;
    int64_t values[32];
    int n = pc_ring_layout(values, 32);
    jlongArray out = (*env)->NewLongArray(env, n);
    if (out != NULL) (*env)->SetLongArrayRegion(env, out, 0, n, (const jlong *)values);
    return out;
}

static jlong capture_open(JNIEnv *env, jclass cls, jstring ns_path, jstring ns_label, jstring device,
                          jstring filter, jint snaplen, jint buffer_size, jboolean promisc, jint timeout_ms,
                          jboolean immediate) {
    (void)cls;
    int failed = 0;
    pc_capture_config config = {
        .netns_path = c_string(env, ns_path, &failed),
        .netns_label = c_string(env, ns_label, &failed),
        .device = c_string(env, device, &failed),
        .filter = c_string(env, filter, &failed),
        .snaplen = snaplen,
        .buffer_size = buffer_size,
        .promisc = promisc,
        .timeout_ms = timeout_ms,
        .immediate = immediate,
    };
    pc_capture *capture = NULL;
    if (!failed) {
        pc_error err = {0};
        capture = pc_capture_open(&config, &err);
        if (capture == NULL) throw_error(env, &err);
    }
    free((char *)config.netns_path);
    free((char *)config.netns_label);
    free((char *)config.device);
    free((char *)config.filter);
    return (jlong)(intptr_t)capture;
}

static pc_capture *handle(jlong h) { return (pc_capture *)(intptr_t)h; }

static jint capture_link_type(JNIEnv *env, jclass cls, jlong h) {
    (void)env, (void)cls;
    return pc_capture_link_type(handle(h));
}

static jint capture_ifindex(JNIEnv *env, jclass cls, jlong h) {
    (void)env, (void)cls;
    return pc_capture_ifindex(handle(h));
}

static jint capture_fd(JNIEnv *env, jclass cls, jlong h) {
    (void)env, (void)cls;
    return pc_capture_fd(handle(h));
}

static jint capture_dispatch(JNIEnv *env, jclass cls, jlong h, jobject ring_buffer) {
    (void)cls;
    pc_ring ring;
    if (ring_of(env, ring_buffer, &ring) != 0) return -1;
    pc_error err;
    int n = pc_capture_dispatch(handle(h), &ring, &err);
    if (n < 0 && n != PC_CAPTURE_RECHECK) throw_error(env, &err);
    return n;
}

static void capture_stats(JNIEnv *env, jclass cls, jlong h, jlongArray out) {
    (void)cls;
    pc_capture_stats st;
    pc_capture_stats_get(handle(h), &st);
    const jlong values[] = {st.received, st.kernel_dropped, st.interface_dropped, st.ring_dropped, st.delivered,
                            st.bytes};
    (*env)->SetLongArrayRegion(env, out, 0, 6, values);
}

static void capture_free(JNIEnv *env, jclass cls, jlong h) {
    (void)env, (void)cls;
    pc_capture_free(handle(h));
}

static jint wake_open(JNIEnv *env, jclass cls) {
    (void)cls;
    pc_error err;
    int fd = pc_wake_open(&err);
    if (fd < 0) throw_error(env, &err);
    return fd;
}

static jboolean wake_wait(JNIEnv *env, jclass cls, jint fd, jint timeout_ms) {
    (void)cls;
    pc_error err;
    int rc = pc_wake_wait(fd, timeout_ms, &err);
    if (rc < 0) throw_error(env, &err);
    return rc > 0;
}

static void wake_signal(JNIEnv *env, jclass cls, jint fd) {
    (void)env, (void)cls;
    pc_wake_signal(fd);
}

static jboolean wake_poll(JNIEnv *env, jclass cls, jint wake_fd, jintArray fds, jint count, jint timeout_ms,
                          jintArray ready) {
    (void)cls;
    /* on the stack for up to 16 captures, as pc_wake_poll's own array: no allocation per wake-up */
    int local_in[16], local_out[16];
    int *in = local_in, *out = local_out;
    if (count > 16) {
        in = malloc((size_t)count * sizeof *in);
        out = malloc((size_t)count * sizeof *out);
        if (in == NULL || out == NULL) {
            free(in);
            free(out);
            throw_message(env, PC_ERR_SYSTEM, "poll: out of memory");
            return JNI_FALSE;
        }
    }
    if (count > 0) (*env)->GetIntArrayRegion(env, fds, 0, count, (jint *)in);
    pc_error err;
    int rc = (*env)->ExceptionCheck(env) ? 0 : pc_wake_poll(wake_fd, in, count, timeout_ms, out, &err);
    if (rc < 0) {
        throw_error(env, &err);
    } else if (count > 0 && !(*env)->ExceptionCheck(env)) {
        (*env)->SetIntArrayRegion(env, ready, 0, count, (const jint *)out);
    }
    if (in != local_in) {
        free(in);
        free(out);
    }
    return rc > 0;
}

static void fd_close(JNIEnv *env, jclass cls, jint fd) {
    (void)env, (void)cls;
    close(fd);
}

static jlong seqgen_start(JNIEnv *env, jclass cls, jobject ring_buffer, jint wake_fd, jlong count, jint payload_len,
                          jboolean wait_when_full) {
    (void)cls;
    pc_ring ring;
    if (ring_of(env, ring_buffer, &ring) != 0) return 0;
    pc_error err;
    pc_seqgen *gen = pc_seqgen_start(&ring, wake_fd, count, payload_len, wait_when_full, &err);
    if (gen == NULL) throw_error(env, &err);
    return (jlong)(intptr_t)gen;
}

static jlong seqgen_join(JNIEnv *env, jclass cls, jlong h) {
    (void)env, (void)cls;
    return pc_seqgen_join((pc_seqgen *)(intptr_t)h);
}

static jstring libpcap_version(JNIEnv *env, jclass cls) {
    (void)cls;
    return (*env)->NewStringUTF(env, pcap_lib_version());
}

static const JNINativeMethod methods[] = {
    {"ringLayout", "()[J", (void *)ring_layout},
    {"open", "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;IIZIZ)J", (void *)capture_open},
    {"linkType", "(J)I", (void *)capture_link_type},
    {"ifindex", "(J)I", (void *)capture_ifindex},
    {"fd", "(J)I", (void *)capture_fd},
    {"dispatch", "(JLjava/nio/ByteBuffer;)I", (void *)capture_dispatch},
    {"stats", "(J[J)V", (void *)capture_stats},
    {"free", "(J)V", (void *)capture_free},
    {"wakeOpen", "()I", (void *)wake_open},
    {"wakeWait", "(II)Z", (void *)wake_wait},
    {"wakeSignal", "(I)V", (void *)wake_signal},
    {"wakePoll", "(I[III[I)Z", (void *)wake_poll},
    {"closeFd", "(I)V", (void *)fd_close},
    {"seqgenStart", "(Ljava/nio/ByteBuffer;IJIZ)J", (void *)seqgen_start},
    {"seqgenJoin", "(J)J", (void *)seqgen_join},
    {"libpcapVersion", "()Ljava/lang/String;", (void *)libpcap_version},
};

static jclass global_class(JNIEnv *env, const char *name) {
    jclass local = (*env)->FindClass(env, name);
    if (local == NULL) return NULL;
    jclass global = (*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    return global;
}

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    illegal_argument = global_class(env, "java/lang/IllegalArgumentException");
    capture_exception = global_class(env, "io/podcap/capture/CaptureException");
    permission_exception = global_class(env, "io/podcap/capture/CapturePermissionException");
    if (illegal_argument == NULL || capture_exception == NULL || permission_exception == NULL) return JNI_ERR;
    capture_exception_init = (*env)->GetMethodID(env, capture_exception, "<init>", "(Ljava/lang/String;I)V");
    permission_exception_init = (*env)->GetMethodID(env, permission_exception, "<init>", "(Ljava/lang/String;I)V");
    if (capture_exception_init == NULL || permission_exception_init == NULL) return JNI_ERR;

    jclass natives = (*env)->FindClass(env, NATIVE_CLASS);
    if (natives == NULL) return JNI_ERR;
    int count = (int)(sizeof methods / sizeof methods[0]);
    if ((*env)->RegisterNatives(env, natives, methods, count) != 0) return JNI_ERR;
    if (pc_links_jni_register(env, natives) != 0 || pc_filter_jni_register(env, natives) != 0) return JNI_ERR;
    return JNI_VERSION_1_8;
}
