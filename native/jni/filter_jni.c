/* Native.compileFilter: libpcap's compiler for offline filtering; Java runs the program (io.podcap.capture.BpfFilter). */
#include <jni.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "jni_util.h"

static jlongArray compile_filter(JNIEnv *env, jclass cls, jstring expr, jint link_type, jint snaplen) {
    (void)cls;
    const char *utf = (*env)->GetStringUTFChars(env, expr, NULL);
    if (utf == NULL) return NULL;
    int64_t *insns;
    int count;
    pc_error err;
    int rc = pc_filter_compile(utf, link_type, snaplen, &insns, &count, &err);
    (*env)->ReleaseStringUTFChars(env, expr, utf);
    if (rc != 0) {
        throw_error(env, &err);
        return NULL;
    }
    jlongArray out = (*env)->NewLongArray(env, count);
    if (out != NULL) (*env)->SetLongArrayRegion(env, out, 0, count, (const jlong *)insns);
    free(insns);
    return out;
}

static const JNINativeMethod methods[] = {
    {"compileFilter", "(Ljava/lang/String;II)[J", (void *)compile_filter},
};

int pc_filter_jni_register(JNIEnv *env, jclass natives) {
    return (*env)->RegisterNatives(env, natives, methods, sizeof methods / sizeof methods[0]);
}
