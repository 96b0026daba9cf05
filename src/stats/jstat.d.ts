// Minimal typings for the part of jstat that src/stats/distributions.ts uses. jstat ships
// no types, and it may be imported only by distributions.ts (tests/stats/index.test.ts
// scans the imports).
declare module 'jstat' {
  interface JStatStatic {
    readonly studentt: {
      inv(p: number, dof: number): number;
      cdf(x: number, dof: number): number;
    };
  }
  const jStat: JStatStatic;
  export default jStat;
}
