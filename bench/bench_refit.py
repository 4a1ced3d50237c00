#!/usr/bin/env python3
"""Issue 16: the latency model's structure refitted in numpy on validation files, with extra
per-network columns, to try a feature on the same timings before changing hant (no ridge; the cache
term, the part hinge and the knee on hant's grids, each kept at F > 4, as hant_latency_fit).

  bench_refit.py fit FIT SCORE...   fitted on FIT (a LUT.validate), scored on each SCORE file
  bench_refit.py cv FILE...         within one run: 40 random halvings (fit one, score the other)
"""
import os, sys, numpy as np
# SHAPE (environment): the per-part cache term's family: par (hant's g w max(0, 1 - w/O)),
# cap (g min(w, O): a part's extra rises to O and stays), or both (the better of the two)
SHAPE=os.environ.get('SHAPE','par')
KAP=[0]+[300**((j-1)/14) for j in range(1,16)]
OMG=[0.2*1.5**j for j in range(10)]
def read(path):
    R=[]
    for line in open(path):
        if line.startswith('#') or line.startswith('net\t'): continue
        c=line.rstrip('\n').split('\t')
        if len(c)<21: continue
        d=dict(name=c[0],arch=c[1],y=float(c[2]),unc=float(c[3]),rel=float(c[4]),sum=float(c[5]),parts=float(c[6]),W=float(c[7]),
               pred=float(c[8]),cv=float(c[10]),kind=c[11],nq=int(c[12]),qms=float(c[13]),nt=int(c[14]),tms=float(c[15]))
        bl=[]
        for b in c[20].split(','):
            if '/' not in b: continue
            k,t,w=b.split('/'); bl.append((k[-1],float(t),float(w)))
        d['blocks']=bl
        bt=sum(t for k,t,w in bl if k!='i'); bw=sum(w for k,t,w in bl if k!='i')
        d['sh']=(d['sum']-bt,d['W']-bw)  # stem+head as one part
        d['nf']=sum(k=='f' for k,_,_ in bl); d['nI']=sum(k=='i' for k,_,_ in bl)
        d['Wt']=sum(w for k,t,w in bl if k=='t'); d['Wq']=sum(w for k,t,w in bl if k=='q')
        d['Wf']=sum(w for k,t,w in bl if k=='f')
        d['big']=max([w for k,t,w in bl]+[0])
        R.append(d)
    return R
def terms(d):
    x=np.zeros(4+16+10+10); x[0]=1
    parts=[(t,w,k) for k,t,w in d['blocks'] if k!='i']+[(d['sh'][0],d['sh'][1],'s')]
    for t,w,k in parts:
        x[1]+=t; x[2]+=1; x[3]+=w
        for j in range(16): x[4+j]+=max(0,w-KAP[j]*t)
        for j in range(10): x[20+j]+=w*max(0,1-w/OMG[j])
        for j in range(10): x[30+j]+=min(w,OMG[j])
    x[1]=d['sum']; x[2]=d['parts']; x[3]=d['W']
    return x
def lsq(A,y):
    # relative errors: scale rows by 1/y
    Aw=A/y[:,None]; c,*_=np.linalg.lstsq(Aw,np.ones(len(y)),rcond=None)
    r=Aw@c-1; return c,float(np.sqrt(np.mean(r*r)))
def fit(X,y,extra=None,knee=True):
    """the hant structure: linear 4 + cache(omega grid) + hinge(kappa grid) + knee(W grid), each kept if coef>0 and F>4.
       extra: more columns (n x m) always in."""
    n=len(y); base=[X[:,:4]]+([extra] if extra is not None else [])
    A=np.hstack(base); c,r=lsq(A,y); best=(A,c,r,None)
    def tryadd(cur,cols_fn,grid,tag):
        A0,c0,r0,desc=cur; bestc=cur
        for g in grid:
            col=cols_fn(g)
            A1=np.hstack([A0,col[:,None]]); c1,r1=lsq(A1,y)
            if c1[-1]<=0: continue
            p=A0.shape[1]
            F=((r0**2-r1**2)*n/2)/(r1**2*n/max(1,n-p-2)) if r1>0 else 1e9
            if F>4 and r1<bestc[2]: bestc=(A1,c1,r1,(desc or ())+((tag,g),))
        return bestc
    if n>=20:
        cj={'par':range(10),'cap':range(10,20),'both':range(20)}[SHAPE]
        best=tryadd(best,lambda j:X[:,20+j],cj,'cache')
        best=tryadd(best,lambda j:X[:,4+j],range(16),'hinge')
        if knee:
            W=X[:,3]; lo,hi=np.quantile(W,[.05,.95])
            best=tryadd(best,lambda k:np.maximum(0,W-k),np.linspace(lo,hi,20),'knee')
    return best
def design(X,desc,extra=None):
    cols=[X[:,:4]]+([extra] if extra is not None else [])
    A=np.hstack(cols)
    for tag,g in (desc or ()):
        col={'cache':lambda:X[:,20+g],'hinge':lambda:X[:,4+g],'knee':lambda:np.maximum(0,X[:,3]-g)}[tag]()
        A=np.hstack([A,col[:,None]])
    return A
def err(A,c,y): return (A@c-y)/y
def ms(e): a=np.abs(e); return 100*np.median(a),100*a.max()

import itertools
def XY(R): return np.array([terms(d) for d in R]), np.array([d['y'] for d in R])
FX={ # candidate extra columns (per network)
 'none':None,
 'Wt':lambda R:np.array([[d['Wt']] for d in R]),
 'nt':lambda R:np.array([[d['nt']] for d in R]),
 'nq':lambda R:np.array([[d['nq']] for d in R]),
 'big':lambda R:np.array([[d['big']] for d in R]),
 'big2':lambda R:np.array([[sum(w for k,t,w in d['blocks'] if k!='i' and w>0.3)] for d in R]),
 'W*big':lambda R:np.array([[d['W']*d['big']] for d in R]),
 'nf_nq_nt':lambda R:np.array([[d['nf'],d['nq'],d['nt']] for d in R]),
 'Wf_Wq_Wt':lambda R:np.array([[d['Wf'],d['Wq'],d['Wt']] for d in R]),
 'sqrtw':lambda R:np.array([[sum(np.sqrt(w) for k,t,w in d['blocks'] if k!='i')] for d in R]),
 'tmem25':lambda R:np.array([[sum(t for k,t,w in d['blocks'] if k!='i' and w>0.25)] for d in R]),
 'tmem4':lambda R:np.array([[sum(t for k,t,w in d['blocks'] if k!='i' and w/max(t,1e-9)>4)] for d in R]),
 'over3':lambda R:np.array([[sum(max(0,w-0.3) for k,t,w in d['blocks'] if k!='i')] for d in R]),
 'over45':lambda R:np.array([[sum(max(0,w-0.45) for k,t,w in d['blocks'] if k!='i')] for d in R]),
 'step4':lambda R:np.array([[sum(w for k,t,w in d['blocks'] if k!='i' and w>0.4)] for d in R]),
 'W2':lambda R:np.array([[d['W']**2] for d in R]),
 'Wsw2':lambda R:np.array([[d['W']*sum(w*w for k,t,w in d['blocks'] if k!='i')] for d in R]),
 'big46':lambda R:np.array([[sum(w for k,t,w in d['blocks'] if k!='i' and 0.4<w<0.8)] for d in R]),
}
if os.environ.get('FX'): FX={k:FX[k] for k in os.environ['FX'].split(',')}
def run(fitf, scoref, names):
    F=read(fitf); X,y=XY(F)
    for nm in names:
        ex=FX[nm]; E=ex(F) if ex else None
        A,c,r,desc=fit(X,y,E)
        out=[]
        for sf in scoref:
            S=read(sf); Xs,ys=XY(S); Es=ex(S) if ex else None
            out.append('%.2f / %.2f'%ms(err(design(Xs,desc,Es),c,ys)))
        print('%-10s fit resid %.2f%% %s | %s'%(nm,100*r,desc,' | '.join(out)))
def cvrun(files, names, R=40):
    for f in files:
        F=read(f); X,y=XY(F); n=len(y); rng=np.random.default_rng(1)
        for nm in names:
            ex=FX[nm]; E=ex(F) if ex else None; meds=[]; wos=[]
            for r in range(R):
                p=rng.permutation(n); a,b=p[:n//2],p[n//2:]; e=np.zeros(n)
                for tr,te in ((a,b),(b,a)):
                    A,c,_,desc=fit(X[tr],y[tr],E[tr] if E is not None else None)
                    e[te]=err(design(X[te],desc,E[te] if E is not None else None),c,y[te])
                m,w=ms(e); meds.append(m); wos.append(w)
            print('%s %-10s cv: %.2f / %.2f (worst>8%% in %d of %d)'%(f.split('/')[-1],nm,np.mean(meds),np.mean(wos),sum(np.array(wos)>8),R))
if __name__ == '__main__':
    if sys.argv[1]=='fit': run(sys.argv[2],sys.argv[3:],list(FX))
    else: cvrun(sys.argv[2:],list(FX))
