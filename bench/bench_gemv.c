/* One row times packed weights (the batch-1 classifier, default 1 x 1280 -> 1000):
 * hant__gemm_run with the row path (hant__gemm_gemv_packed) and with the tile path
 * (hant__gemm_gemv_off) alternated call by call, 4 MB streamed through L2 before each
 * call; median (min) of 41 and the weights read rate.
 *   cc -O2 -march=native -I. -o bench_gemv bench/bench_gemv.c -lm -lpthread
 *   chrt -f 50 ./bench_gemv [M K N THREADS]
 */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include <stdio.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static int cmpd(const void*a,const void*b){double x=*(const double*)a,y=*(const double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  int M=argc>1?atoi(argv[1]):1,K=argc>2?atoi(argv[2]):1280,N=argc>3?atoi(argv[3]):1000,T=argc>4?atoi(argv[4]):1;
  hant_config cfg={T,0,{0},0}; hant_context*ctx; hant_context_create(&cfg,&ctx);
  float*w=malloc(sizeof(float)*K*N),*x=malloc(sizeof(float)*M*K),*y=malloc(sizeof(float)*M*N),*bias=calloc(N,4);
  for(int i=0;i<K*N;i++)w[i]=(i%7)*0.01f;
  for(int i=0;i<M*K;i++)x[i]=(i%5)*0.1f;
  size_t pf=hant__gemm_packed_b_floats(N,K); float*pk=aligned_alloc(64,(pf*4+63)/64*64); hant__gemm_pack_b_full(0,N,K,w,N,pk);
  /* evict: 64 MB touch between calls so the weights come from L3/DRAM as in a forward */
  size_t EV=16u<<20; float*ev=malloc(EV*4); for(size_t i=0;i<EV;i++)ev[i]=1;
  double tg[41],tr[41]; float s=0;
  for(int r=0;r<41;r++){
    hant__gemm_gemv_off=0;
    for(size_t i=0;i<(1u<<20);i++)ev[i*16%EV]+=1; /* 4 MB of lines through L2 */
    double t0=now();
    hant__epilogue ep={bias,HANT_ACT_NONE,NULL,N}; hant__gemm_args g; memset(&g,0,sizeof g);
    g.m=M;g.n=N;g.k=K;g.a=x;g.lda=K;g.b=w;g.ldb=N;g.packed_b=pk;g.c=y;g.ldc=N;g.ep=&ep;g.ctx=ctx; hant__gemm_run(&g);
    tg[r]=now()-t0;
    for(size_t i=0;i<(1u<<20);i++)ev[i*16%EV]+=1;
    hant__gemm_gemv_off=1; t0=now(); {hant__epilogue ep={bias,HANT_ACT_NONE,NULL,N}; hant__gemm_args g; memset(&g,0,sizeof g);
    g.m=M;g.n=N;g.k=K;g.a=x;g.lda=K;g.b=w;g.ldb=N;g.packed_b=pk;g.c=y;g.ldc=N;g.ep=&ep;g.ctx=ctx; hant__gemm_run(&g);} tr[r]=now()-t0;
  }
  qsort(tg,41,8,cmpd);qsort(tr,41,8,cmpd);
  printf("M=%d K=%d N=%d T=%d gemv(new) %.3f ms (min %.3f) %.1f GB/s | tiles(base) %.3f ms (min %.3f) %.1f GB/s  [%g %g]\n",M,K,N,T,tg[20]*1e3,tg[0]*1e3,pf*4/tg[20]/1e9,tr[20]*1e3,tr[0]*1e3,pf*4/tr[20]/1e9,s,y[0]);
  return 0;}
