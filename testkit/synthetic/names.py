"""Small built-in name lists: enough variety to look like a roster, no real person behind any pair."""

from __future__ import annotations

import numpy as np

# fmt: off
FEMALE = (
    "Olivia", "Emma", "Charlotte", "Amelia", "Sophia", "Mia", "Isabella", "Ava", "Evelyn", "Luna", "Harper",
    "Sofia", "Camila", "Eleanor", "Elizabeth", "Violet", "Scarlett", "Emily", "Hazel", "Lily", "Gianna",
    "Aurora", "Penelope", "Aria", "Nora", "Chloe", "Ellie", "Mila", "Avery", "Layla", "Abigail", "Ella",
    "Isla", "Eliana", "Nova", "Madison", "Zoe", "Ivy", "Grace", "Lucy", "Willow", "Emilia", "Riley",
    "Naomi", "Victoria", "Stella", "Elena", "Hannah", "Valentina", "Maya", "Zoey", "Delilah", "Leah",
    "Lainey", "Lillian", "Paisley", "Genesis", "Madelyn", "Sadie", "Sophie", "Leilani", "Ximena", "Aaliyah",
    "Jasmine", "Imani", "Mei", "Priya", "Fatima", "Ananya", "Yuna", "Destiny", "Kiara", "Guadalupe",
)
MALE = (
    "Liam", "Noah", "Oliver", "James", "Elijah", "Mateo", "Theodore", "Henry", "Lucas", "William",
    "Benjamin", "Levi", "Sebastian", "Jack", "Ezra", "Michael", "Daniel", "Leo", "Owen", "Samuel", "Hudson",
    "Alexander", "Asher", "Luca", "Ethan", "John", "David", "Jackson", "Joseph", "Mason", "Luke", "Matthew",
    "Julian", "Dylan", "Elias", "Jacob", "Maverick", "Gabriel", "Logan", "Aiden", "Thomas", "Isaac",
    "Miles", "Grayson", "Santiago", "Anthony", "Wyatt", "Carter", "Jayden", "Ezekiel", "Caleb", "Cooper",
    "Josiah", "Charles", "Christopher", "Isaiah", "Nolan", "Cameron", "Nathan", "Joshua", "Kai", "Waylon",
    "Angel", "Lincoln", "Andrew", "Roman", "Adrian", "Aaron", "Malik", "Jamal", "Darius", "Omar", "Arjun",
    "Minh", "Hiroshi", "Diego", "Carlos", "Juan",
)
FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
    "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
    "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Wood", "James",
    "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins",
    "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Fisher",
    "Washington", "Simmons", "Patterson", "Jordan", "Reynolds", "Hamilton", "Graham", "Wallace", "Cole",
    "West", "O'Brien", "Kowalski", "Schmidt", "Murray", "Freeman", "Wells", "Byrd",
)
FAMILY_HISPANIC = (
    "Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez",
    "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Cruz", "Morales", "Ortiz", "Gutierrez",
    "Chavez", "Ramos", "Ruiz", "Alvarez", "Mendoza", "Castillo", "Jimenez", "Moreno", "Romero", "Herrera",
    "Medina", "Aguilar", "Vargas", "Castro", "Guzman", "Munoz", "Salazar", "Delgado", "Soto", "Vega",
    "Nunez",
)
FAMILY_ASIAN = (
    "Nguyen", "Tran", "Kim", "Park", "Chen", "Wang", "Li", "Zhang", "Liu", "Patel", "Singh", "Shah",
    "Kumar", "Le", "Pham", "Huang", "Wu", "Lin", "Yang", "Choi", "Tanaka", "Sato", "Yamamoto", "Cho", "Vu",
    "Hoang", "Khan", "Das", "Reddy", "Yu",
)
SCHOOL_NAMESAKES = (
    "Lincoln", "Washington", "Jefferson", "Roosevelt", "Franklin", "Kennedy", "Madison", "Adams", "Jackson",
    "Douglass", "Tubman", "Carver", "Earhart", "Edison", "Whitman", "Twain", "Emerson", "Hawthorne",
    "Sequoyah", "Curie", "Ochoa", "Chavez", "Parks", "Marshall", "Keller", "Audubon", "Muir", "Thoreau",
    "Hughes", "Angelou", "Sotomayor", "Ride", "Glenn", "Armstrong", "Bethune", "Truth", "Mann", "Dewey",
    "Revere", "Hale", "Irving", "Longfellow", "Frost", "Steinbeck", "Hurston", "Morrison", "Banneker",
    "Jemison", "Hopper", "Lovelace", "Tesla",
)
SCHOOL_PLACES = (
    "Oak Grove", "Maple Ridge", "Cedar Hills", "Willow Creek", "Pine Valley", "Riverside", "Lakeview",
    "Sunnyside", "Meadowbrook", "Fairview", "Hillcrest", "Brookside", "Eastwood", "Westwood", "Northgate",
    "Southridge", "Park Place", "Spring Valley", "Rolling Hills", "Mission", "Harbor View", "Canyon",
    "Prairie", "Stonebridge", "Forest Glen", "Clearwater", "Highland", "Green Meadows", "Silver Lake",
    "Red Rock",
)
# fmt: on

SCHOOL_PREFIXES = ("", "North ", "South ", "East ", "West ", "Central ", "Upper ", "Lower ", "New ")

SCHOOL_SUFFIX = {"elementary": "Elementary School", "middle": "Middle School", "high": "High School"}


def school_names(kind: str, count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct names for schools of one kind, in a seeded order."""
    bases = list(SCHOOL_NAMESAKES) + list(SCHOOL_PLACES)
    bases = [bases[i] for i in rng.permutation(len(bases))]
    pool = [prefix + base for prefix in SCHOOL_PREFIXES for base in bases]
    names = [
        f"{pool[i % len(pool)]}{'' if i < len(pool) else f' {i // len(pool) + 1}'}" for i in range(count)
    ]
    return [f"{name} {SCHOOL_SUFFIX[kind]}" for name in names]
