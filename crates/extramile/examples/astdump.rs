fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&path).unwrap();
    match extramile::syntax::parser::parse(&src) {
        Ok(file) => println!("{file:#?}"),
        Err(d) => println!("ERR {d:?}"),
    }
}
