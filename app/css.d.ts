// Style sheets imported for their side effect (Vite injects them); dynamic imports of them need a module type.
declare module '*.css';
